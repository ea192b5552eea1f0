import { buildApp } from "../app.js";
import { openRuntime, say } from "./runtime.js";

export interface ServeOptions {
  seedIfEmpty?: number;
}

/** Starts the server; stops cleanly on SIGINT/SIGTERM (finishes in-flight requests, closes the database). */
export async function serve(opts: ServeOptions = {}) {
  const { config, database, ctx } = await openRuntime("server");
  if (opts.seedIfEmpty) {
    const { seedIfEmpty } = await import("./seed-hook.js");
    await seedIfEmpty(ctx, opts.seedIfEmpty);
  }
  const app = await buildApp({ database, clock: ctx.clock, config, logger: { level: config.logLevel } });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    say(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await app.listen({ port: config.port, host: config.host });
  say(
    `Kilowatt is serving http://localhost:${config.port} (${database.engine === "pglite" ? `embedded database in ${config.dataDir}` : "PostgreSQL"})`,
  );
  return app;
}
