import type { Command as Commander } from "commander";
import { z } from "zod";
import { refundRegister, refundRegisterCsv } from "../modules/adjustments/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";

const args = z.object({ from: z.iso.date(), to: z.iso.date().optional() });

/** `kilowatt export refunds`: the refund register (posted refunds by accounting date) as CSV on stdout. */
export const exportRefunds = {
  args,
  async run(ctx: Ctx, a: z.infer<typeof args>, io: CommandIO): Promise<undefined> {
    const to = a.to ?? a.from;
    const lines = await refundRegister(ctx, a.from, to);
    io.out.write(refundRegisterCsv(lines));
    io.err.write(`refund register ${a.from}..${to}: ${lines.length} refunds\n`);
    return undefined;
  },
};

/** Adds the command's options to `kilowatt export`. */
export function addRefundExport(exports: Commander, run: (name: string) => (opts: unknown) => Promise<void>) {
  exports
    .command("refunds")
    .description("the refund register (every refund posted in the range) as CSV on stdout, for accounts payable")
    .requiredOption("--from <date>", "the first accounting date, YYYY-MM-DD")
    .option("--to <date>", "the last accounting date (inclusive); --from when left out")
    .action(run("export refunds"));
}
