import { timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import { randomToken } from "./crypto.js";

/**
 * The command channel: in embedded mode the server holds the data dir, so the CLI hands it its commands instead of
 * opening the database itself. The server listens on a loopback port and writes the port and a random credential to
 * a file in the data dir that only its owner may read, much as PostgreSQL trusts local peers.
 */

/** Where a command writes: data for machines on out, messages and progress for people on err. */
export interface CommandIO {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** Runs one named command with its arguments; resolves to the exit code. */
export type CommandHandler = (command: string, args: unknown, io: CommandIO) => Promise<number>;

interface ChannelFile {
  pid: number;
  port: number;
  token: string;
}

export const channelFile = (dataDir: string) => path.join(dataDir, "kilowatt.cli.json");

const MAX_REQUEST = 64 * 1024;

/** A stream that sends what is written as one kind of NDJSON line ({"o": ...} or {"e": ...}). */
function lineStream(res: http.ServerResponse, key: "o" | "e", tty?: { columns: number }) {
  const stream = new Writable({
    // Written through at once (the response buffers), so nothing is left behind when the command ends.
    write(chunk: Buffer | string, _enc, done) {
      if (!res.writableEnded) res.write(`${JSON.stringify({ [key]: chunk.toString() })}\n`);
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  // The client's terminal, if it has one: progress bars draw as they would there.
  if (tty) {
    stream.isTTY = true;
    stream.columns = tty.columns;
  }
  return stream;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Listens for commands on a loopback port and records how to reach it in the data dir (owner-only file). */
export async function openCommandChannel(
  dataDir: string,
  handler: CommandHandler,
): Promise<{ close(): Promise<void> }> {
  const token = randomToken();
  const server = http.createServer((req, res) => {
    const refuse = (status: number, message: string) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: message }));
    };
    if (req.method !== "POST" || req.url !== "/command") return refuse(404, "no such endpoint");
    if (!sameSecret(req.headers.authorization ?? "", `Bearer ${token}`)) return refuse(401, "bad credential");
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST) req.destroy();
      else parts.push(chunk);
    });
    req.on("end", async () => {
      let body: { command?: unknown; args?: unknown; tty?: unknown; columns?: unknown };
      try {
        body = JSON.parse(Buffer.concat(parts).toString("utf8"));
      } catch {
        return refuse(400, "the request is not JSON");
      }
      if (typeof body.command !== "string") return refuse(400, "command: a string");
      res.on("error", () => {}); // the CLI went away (Ctrl-C): the command still finishes
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      const tty = body.tty === true ? { columns: Number(body.columns) || 80 } : undefined;
      const io: CommandIO = { out: lineStream(res, "o"), err: lineStream(res, "e", tty) };
      let exit = 1;
      try {
        exit = await handler(body.command, body.args ?? {}, io);
      } catch (err) {
        res.write(`${JSON.stringify({ e: `error: ${err instanceof Error ? err.message : String(err)}\n` })}\n`);
      }
      res.end(`${JSON.stringify({ exit })}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const file = channelFile(dataDir);
  rmSync(file, { force: true });
  const record: ChannelFile = { pid: process.pid, port: (server.address() as AddressInfo).port, token };
  writeFileSync(file, JSON.stringify(record), { mode: 0o600, flag: "wx" });
  const removeFile = () => {
    try {
      if ((JSON.parse(readFileSync(file, "utf8")) as ChannelFile).pid === process.pid) rmSync(file);
    } catch {
      // already gone
    }
  };
  process.once("exit", removeFile);
  return {
    async close() {
      removeFile();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** How to reach the server holding the data dir, if it (process `pid`) has opened its channel. */
export function readChannel(dataDir: string, pid: number): ChannelFile | undefined {
  const file = channelFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as ChannelFile;
    return record.pid === pid ? record : undefined;
  } catch {
    return undefined; // being written
  }
}

/** Sends a command to the server and relays what it writes; resolves to the command's exit code. */
export function sendCommand(channel: ChannelFile, command: string, args: unknown, io: CommandIO): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ command, args, tty: io.err.isTTY === true, columns: io.err.columns });
    const req = http.request(
      {
        host: "127.0.0.1",
        port: channel.port,
        path: "/command",
        method: "POST",
        agent: false,
        headers: { authorization: `Bearer ${channel.token}`, "content-type": "application/json" },
      },
      (res) => {
        let pending = "";
        let exit: number | undefined;
        const handle = (line: string) => {
          if (!line) return;
          const msg = JSON.parse(line) as { o?: string; e?: string; exit?: number; error?: string };
          if (msg.o !== undefined) io.out.write(msg.o);
          if (msg.e !== undefined) io.err.write(msg.e);
          if (msg.error !== undefined) io.err.write(`error: ${msg.error}\n`);
          if (msg.exit !== undefined) exit = msg.exit;
        };
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          pending += chunk;
          let nl = pending.indexOf("\n");
          while (nl >= 0) {
            handle(pending.slice(0, nl));
            pending = pending.slice(nl + 1);
            nl = pending.indexOf("\n");
          }
        });
        res.on("end", () => {
          handle(pending);
          resolve(exit ?? (res.statusCode === 200 ? 1 : 2));
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
