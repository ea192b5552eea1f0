import { systemClock } from "../platform/clock.js";
import { type Config, loadConfig } from "../platform/config.js";
import { type Ctx, systemActor } from "../platform/context.js";
import { type Database, openDatabase } from "../platform/db.js";
import { migrate } from "../platform/migrate.js";

/** Opens the configured database, migrates it (unless told not to), and gives a system context acting as the named CLI user. */
export async function openRuntime(
  actorName = "cli",
  opts: { migrate?: boolean } = {},
): Promise<{ config: Config; database: Database; ctx: Ctx }> {
  const config = loadConfig();
  const database = await openDatabase(config);
  if (opts.migrate !== false) await migrate(database);
  const clock = systemClock(config.timezone, config.now);
  const ctx: Ctx = {
    database,
    db: database.db,
    clock,
    config,
    actor: systemActor(actorName),
    requestId: `cli-${process.pid}`,
  };
  return { config, database, ctx };
}

/** Prints data for machines on stdout. */
export const printJson = (value: unknown) =>
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);

/** Messages for people go to stderr. */
export const say = (message: string) => process.stderr.write(`${message}\n`);
