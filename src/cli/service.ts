import type { Command } from "commander";
import { z } from "zod";
import { runScheduledStops } from "../modules/billing/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";

/** `kilowatt service-stops run [--date D]`: the morning run of scheduled stops (the job queue runs it at 04:45), now. */
const runArgs = z.object({ date: z.string().optional() });

export const serviceStopsRunCommand = {
  args: runArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof runArgs>;
    const r = await runScheduledStops(ctx, { date: a.date });
    io.err.write(
      `scheduled stops ${r.as_of}: ${r.accounts} accounts stopped and closed, ${r.final_bills} final bills ` +
        `(${r.held_bills} held for review, ${r.no_bill} with nothing to bill), ${r.estimated_reads} final reads estimated\n`,
    );
    io.out.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  },
};

export function addServiceCommands(program: Command, dispatch: (name: string, args: unknown) => Promise<number>) {
  program
    .command("service-stops")
    .description("scheduled stops of service")
    .command("run")
    .description("the morning run: final bills for the service that ended before today, the accounts closed (JSON)")
    .option("--date <date>", "the business date, YYYY-MM-DD (default today)")
    .action(async (opts: { date?: string }) => {
      process.exitCode = await dispatch("service-stops run", opts);
    });
}
