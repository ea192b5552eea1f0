import cliProgress from "cli-progress";
import type { Command } from "commander";
import { z } from "zod";
import { runBills } from "../modules/billing/run.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";

/**
 * `kilowatt bill-run --cycle N --date D`: the cycle billed for the date (a killed run, started again, carries on
 * where it stopped; a completed one is refused). Progress to stderr (a bar on a terminal, a line per chunk
 * elsewhere), the run's outcome as JSON to stdout.
 */
const runArgs = z.object({
  cycle: z.string().regex(/^\d{1,2}$/, "a cycle number, 1 to 21"),
  date: z.string().min(1),
  chunkSize: z.coerce.number().int().min(1).max(20_000).optional(),
});

function progressOf(io: CommandIO, label: string) {
  if (io.err.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.err,
        format: `${label} [{bar}] {percentage}% | {value}/{total} accounts | {eta_formatted} left`,
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
      io.err.write(`${label}: ${done}/${total} accounts (${Math.floor((done * 100) / Math.max(total, 1))}%)\n`);
    },
    stop() {},
  };
}

export const billRunCommand = {
  args: runArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof runArgs>;
    const cycle = a.cycle.padStart(2, "0");
    const progress = progressOf(io, `bill run cycle ${cycle} ${a.date}`);
    try {
      const run = await runBills(ctx, { cycle, bill_date: a.date, chunk_size: a.chunkSize }, (done, total) =>
        progress.update(done, total),
      );
      progress.stop();
      io.err.write(
        `cycle ${cycle} billed for ${a.date}${run.resumed ? " (resumed)" : ""}: ${run.billed} issued, ${run.held} held for review, ${run.skipped} not billed\n`,
      );
      io.out.write(`${JSON.stringify(run, null, 2)}\n`);
      return 0;
    } finally {
      progress.stop();
    }
  },
};

/** Adds `bill-run` to the program; `dispatch` runs it wherever the data is (see dispatch.ts). */
export function addBillingCommands(program: Command, dispatch: (name: string, args: unknown) => Promise<number>) {
  program
    .command("bill-run")
    .description("bill a cycle for a bill date (resumes a run that was stopped; refuses one completed)")
    .requiredOption("--cycle <n>", "the bill cycle, 1 to 21")
    .requiredOption("--date <date>", "the bill date, YYYY-MM-DD")
    .option("--chunk-size <accounts>", "accounts per transaction (default 1000)", Number)
    .action(async (opts: { cycle: string; date: string; chunkSize?: number }) => {
      process.exitCode = await dispatch("bill-run", { cycle: opts.cycle, date: opts.date, chunkSize: opts.chunkSize });
    });
}
