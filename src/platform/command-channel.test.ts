import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { type CommandIO, channelFile, openCommandChannel, readChannel, sendCommand } from "./command-channel.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "kilowatt-channel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(tty = false) {
  const text = { out: "", err: "" };
  const sink = (key: "out" | "err") =>
    new Writable({
      write(chunk, _enc, done) {
        text[key] += chunk.toString();
        done();
      },
    });
  const err = Object.assign(sink("err"), { isTTY: tty, columns: 120 });
  const io: CommandIO = { out: sink("out"), err };
  return { io, text };
}

describe("the command channel", () => {
  it("runs a command for a holder of the credential and relays its output and exit code", async () => {
    const seen: unknown[] = [];
    const channel = await openCommandChannel(dir, async (name, args, io) => {
      seen.push({ name, args, tty: io.err.isTTY, columns: io.err.columns });
      io.err.write("working\n");
      io.out.write('{"done":true}\n');
      return name === "fail" ? 3 : 0;
    });
    try {
      expect(statSync(channelFile(dir)).mode & 0o777).toBe(0o600);
      const record = readChannel(dir, process.pid)!;
      const { io, text } = capture(true);
      expect(await sendCommand(record, "echo", { n: 1 }, io)).toBe(0);
      expect(text).toEqual({ out: '{"done":true}\n', err: "working\n" });
      expect(seen).toEqual([{ name: "echo", args: { n: 1 }, tty: true, columns: 120 }]);
      expect(await sendCommand(record, "fail", {}, capture().io)).toBe(3);

      const stranger = capture();
      expect(await sendCommand({ ...record, token: "guessed" }, "echo", {}, stranger.io)).toBe(2);
      expect(stranger.text.err).toMatch(/bad credential/);
      expect(seen).toHaveLength(2);
      expect(readChannel(dir, process.pid + 1)).toBeUndefined();
    } finally {
      await channel.close();
    }
    expect(() => readFileSync(channelFile(dir))).toThrow();
  });
});
