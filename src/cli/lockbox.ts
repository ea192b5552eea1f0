import { readFileSync } from "node:fs";
import path from "node:path";
import cliProgress from "cli-progress";
import { type Command, Option } from "commander";
import { z } from "zod";
import { importLockbox } from "../modules/payments/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";
import { Problem } from "../platform/errors.js";

/**
 * `kilowatt lockbox import FILE`: the bank's lockbox file imported (docs/lockbox-formats.md). The CLI sends the
 * file's absolute path, so the command reads the same file whether it runs here or in the server holding the data
 * dir. Progress goes to stderr (a bar on a terminal, a line per chunk elsewhere), the result as JSON to stdout; a
 * refused file lists its problems with their lines and exits 1.
 */

const importArgs = z.object({
  file: z.string().min(1),
  format: z.enum(["csv", "bai2"]).optional(),
  chunkSize: z.coerce.number().int().min(1).max(100_000).optional(),
});

// JSON for machines: cents as plain integers (bigint within the safe range, as every amount is).
const json = (value: unknown) =>
  `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : typeof v === "bigint" ? v.toString() : v), 2)}\n`;

/** Draws the progress: a bar on a terminal; elsewhere a line per chunk, which scripts (and the crash test) read. */
function progressOf(io: CommandIO, fileName: string) {
  if (io.err.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.err,
        format: `lockbox ${fileName} [{bar}] {percentage}% | {value}/{total} payments | {eta_formatted} left`,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done: number, total: number) {
        if (!started) bar.start(total, done);
        else bar.update(done);
        started = true;
      },
      stop: () => started && bar.stop(),
    };
  }
  return {
    update(done: number, total: number) {
      io.err.write(
        `lockbox ${fileName}: ${done}/${total} payments (${Math.floor((done * 100) / Math.max(total, 1))}%)\n`,
      );
    },
    stop() {},
  };
}

/** The problems of a refused file, one a line: "line 12 (amount): 3 decimals ...". */
function describeRefusal(err: Problem, io: CommandIO) {
  const errors = (err.extra.errors ?? []) as { line?: number; column?: string; message: string }[];
  for (const e of errors) {
    io.err.write(`line ${e.line ?? "?"}${e.column ? ` (${e.column})` : ""}: ${e.message}\n`);
  }
  const count = Number(err.extra.error_count ?? errors.length);
  if (count > errors.length) io.err.write(`... and ${count - errors.length} more (the first ${errors.length} shown)\n`);
  io.err.write(`error: ${err.message}\n`);
}

export const lockboxImportCommand = {
  args: importArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof importArgs>;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(a.file));
    } catch (err) {
      io.err.write(`error: cannot read ${a.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
      return 1;
    }
    const fileName = path.basename(a.file);
    const progress = progressOf(io, fileName);
    try {
      const result = await importLockbox(
        ctx,
        { fileName, bytes, format: a.format },
        { chunkSize: a.chunkSize, onProgress: (p) => progress.update(p.done, p.total) },
      );
      progress.stop();
      io.err.write(`${result.message}\n`);
      io.out.write(json(result));
      return 0;
    } catch (err) {
      progress.stop();
      if (err instanceof Problem && err.status === 400 && err.extra.error_count !== undefined) {
        describeRefusal(err, io);
        return 1;
      }
      throw err;
    }
  },
};

/** Adds `lockbox import` to the program; `dispatch` runs it wherever the data is (see dispatch.ts). */
export function addLockboxCommands(program: Command, dispatch: (name: string, args: unknown) => Promise<number>) {
  program
    .command("lockbox")
    .description("the bank's lockbox files of mailed-in payments")
    .command("import")
    .description("import a lockbox file (CSV or BAI2): post the matched payments, park the rest in payment suspense")
    .argument("<file>", "the lockbox file")
    .addOption(
      new Option("--format <format>", "the file's layout (default: from its content)").choices(["csv", "bai2"]),
    )
    .option("--chunk-size <lines>", "payments per transaction (default 2000)", Number)
    .action(async (file: string, opts: { format?: string; chunkSize?: number }) => {
      process.exitCode = await dispatch("lockbox import", {
        file: path.resolve(file),
        format: opts.format,
        chunkSize: opts.chunkSize,
      });
    });
}
