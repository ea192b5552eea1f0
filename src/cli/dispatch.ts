import { setTimeout as sleep } from "node:timers/promises";
import { type CommandIO, readChannel, sendCommand } from "../platform/command-channel.js";
import { loadConfig } from "../platform/config.js";
import { DataDirLockedError, dataDirHolder } from "../platform/db.js";
import { runCommand } from "./commands.js";
import { openRuntime } from "./runtime.js";

// How long to wait for a server that holds the data dir to open its command channel (it does so once migrated).
const CHANNEL_WAIT_MS = 30_000;

/** Hands the command to the server holding the embedded data dir (process `pid`). */
async function viaServer(dataDir: string, pid: number, name: string, args: unknown, io: CommandIO): Promise<number> {
  const deadline = Date.now() + CHANNEL_WAIT_MS;
  for (;;) {
    const channel = readChannel(dataDir, pid);
    if (channel) return sendCommand(channel, name, args, io);
    if (dataDirHolder(dataDir) !== pid) return dispatch(name, args, io); // it stopped meanwhile: open the dir ourselves
    if (Date.now() > deadline) {
      throw new Error(
        `the data dir ${dataDir} is held by process ${pid}, which takes no commands (another kilowatt command may be running)`,
      );
    }
    await sleep(200);
  }
}

/**
 * Runs a data command wherever the data is: on PostgreSQL directly; in embedded mode through the server when one
 * holds the data dir, else on the data dir opened here. Resolves to the exit code.
 */
export async function dispatch(
  name: string,
  args: unknown,
  io: CommandIO = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    const holder = dataDirHolder(config.dataDir);
    if (holder !== undefined && holder !== process.pid) return viaServer(config.dataDir, holder, name, args, io);
  }
  let runtime: Awaited<ReturnType<typeof openRuntime>>;
  try {
    // `migrate` reports what it applies, so it must find the migrations still pending.
    runtime = await openRuntime("cli", { migrate: name !== "migrate" });
  } catch (err) {
    if (err instanceof DataDirLockedError) return viaServer(config.dataDir, err.pid, name, args, io);
    throw err;
  }
  try {
    return await runCommand(runtime.ctx, name, args, io);
  } finally {
    await runtime.database.close();
  }
}
