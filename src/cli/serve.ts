import type { AddressInfo } from "node:net";
import { buildApp, JOB_DEFINITIONS, openJobs } from "../app.js";
import { openCommandChannel } from "../platform/command-channel.js";
import { systemActor } from "../platform/context.js";
import { runCommand } from "./commands.js";
import { openRuntime, say } from "./runtime.js";

export interface ServeOptions {
  seedIfEmpty?: number;
}

/** Starts the server; stops cleanly on SIGINT/SIGTERM (finishes in-flight requests, closes the database). */
export async function serve(opts: ServeOptions = {}) {
  const { config, database, ctx } = await openRuntime("server");
  // Embedded mode: this process holds the data dir, so CLI commands come here to run (see platform/command-channel).
  let commandNo = 0;
  const channel =
    database.engine === "pglite"
      ? await openCommandChannel(config.dataDir, (name, args, io) =>
          runCommand(
            { ...ctx, actor: systemActor("cli"), requestId: `cli-${process.pid}-${++commandNo}` },
            name,
            args,
            io,
          ),
        )
      : undefined;
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
    await channel?.close();
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  say(
    `Kilowatt is serving http://localhost:${port} (${database.engine === "pglite" ? `embedded database in ${config.dataDir}` : "PostgreSQL"})`,
  );
  return app;
}

/**
 * Runs the background job workers without the HTTP server (PostgreSQL: as many worker processes on as many machines
 * as the load needs; API servers beside them may run with KILOWATT_WORKERS=off). Embedded, the server runs them.
 */
export async function work() {
  const { config, database, ctx } = await openRuntime("worker");
  if (database.engine === "pglite") {
    await database.close();
    throw new Error("kilowatt worker needs DATABASE_URL: with the embedded database, `kilowatt serve` runs the jobs");
  }
  const log = {
    error: (obj: object, msg: string) => say(`${msg} ${JSON.stringify(obj, errorFields)}`),
    info: (obj: object, msg: string) => say(`${msg} ${JSON.stringify(obj)}`),
  };
  const jobs = await openJobs({ database, clock: ctx.clock, config: { ...config, workers: true } }, log);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    say(`${signal}: stopping the workers`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await jobs.stop();
    await database.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  say(`Kilowatt workers are running (jobs: ${JOB_DEFINITIONS.map((d) => d.name).join(", ")})`);
}

const errorFields = (_k: string, v: unknown) =>
  v instanceof Error ? { message: v.message, stack: v.stack } : typeof v === "bigint" ? v.toString() : v;
