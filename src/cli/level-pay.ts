import type { Command } from "commander";
import { z } from "zod";
import { runLevelPay } from "../modules/levelpay/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";

/** `kilowatt level-pay run [--date D]`: the daily level pay run (the job queue runs it at 05:15), now. */
const runArgs = z.object({ date: z.string().optional() });

export const levelPayRunCommand = {
  args: runArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof runArgs>;
    const r = await runLevelPay(ctx, { date: a.date });
    io.err.write(
      `level pay ${r.as_of} (${r.profile}): ${r.bills} bills leveled (${r.deferred} above the level amount, ` +
        `${r.charged} below), ${r.reviews} reviews (${r.level_changes} changed the amount), ${r.true_ups} true-ups, ` +
        `${r.cancelled} cancelled bills taken back, ${r.ended} plans of closed accounts ended\n`,
    );
    io.out.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  },
};

export function addLevelPayCommands(program: Command, dispatch: (name: string, args: unknown) => Promise<number>) {
  program
    .command("level-pay")
    .description("level pay (budget billing)")
    .command("run")
    .description(
      "the daily level pay run: bills leveled, reviews and true-ups as they fall due, closed plans ended (JSON)",
    )
    .option("--date <date>", "the business date, YYYY-MM-DD (default today)")
    .action(async (opts: { date?: string }) => {
      process.exitCode = await dispatch("level-pay run", opts);
    });
}
