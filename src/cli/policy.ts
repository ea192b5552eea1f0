import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import { agencyFileContent, listAgencyFiles, runCollections } from "../modules/collections/index.js";
import { applyClosedAccountDeposits, refundDueDeposits } from "../modules/credit/index.js";
import { explainPolicy, PROFILES } from "../modules/policy/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";

/**
 * `kilowatt policy explain --account NUMBER [--date D] [--profile P]`: every decision policy makes for the account
 * on the date, computed afresh, as JSON `{"decisions": [...]}` with the account, date and profile beside them.
 */
const explainArgs = z.object({
  account: z.string().regex(/^\d{10}$/, "a 10-digit account number"),
  date: z.string().optional(),
  profile: z.enum(PROFILES).optional(),
});

export const policyExplainCommand = {
  args: explainArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof explainArgs>;
    const { POLICY_SOURCES } = await import("../app.js");
    const explained = await explainPolicy(ctx, { number: a.account }, POLICY_SOURCES, {
      date: a.date,
      profile: a.profile,
    });
    for (const d of explained.decisions) io.err.write(`${d.rule_id}: ${d.explanation}\n`);
    io.out.write(`${JSON.stringify(explained, null, 2)}\n`);
    return 0;
  },
};

/** `kilowatt deposits refund [--date D]`: the daily refund run (the job queue runs it at 05:30), now. */
const refundArgs = z.object({ date: z.string().optional() });

export const depositsRefundCommand = {
  args: refundArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof refundArgs>;
    const result = await refundDueDeposits(ctx, { date: a.date });
    const applied = await applyClosedAccountDeposits(ctx, result.as_of);
    for (const r of [...result.refunded, ...applied]) io.err.write(`${r.explanation}\n`);
    io.err.write(
      `deposits refunded: ${result.refunded.length}, applied at close: ${applied.length} (as of ${result.as_of})\n`,
    );
    io.out.write(`${JSON.stringify({ ...result, applied }, null, 2)}\n`);
    return 0;
  },
};

/** `kilowatt collections run [--date D]`: the daily collections run (the job queue runs it at 06:00), now. */
const collectionsArgs = z.object({ date: z.string().optional() });

export const collectionsRunCommand = {
  args: collectionsArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof collectionsArgs>;
    const result = await runCollections(ctx, { date: a.date });
    io.err.write(
      `collections ${result.as_of} (${result.profile}): ${result.candidates} accounts looked at; ` +
        `${result.reminder} reminders, ${result.notice} past-due notices, ${result.final_notice} final notices, ` +
        `${result.disconnect_ordered} disconnect orders, ${result.blocked} held, ${result.cured} cured, ` +
        `${result.arrangements_broken} arrangements broken; closed accounts: ${result.closed_transferred} moved, ` +
        `${result.closed_notices} notices, ${result.closed_written_off} written off, ${result.closed_referred} ` +
        `referred, ${result.closed_recoveries} recoveries; AMP: ${result.amp_forgiven} forgiven\n`,
    );
    io.out.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  },
};

/** `kilowatt collections agency-file [--id N] [--out PATH]`: a placement file as sent (the newest by default). */
const agencyFileArgs = z.object({
  id: z.coerce.number().int().positive("--id: a placement file's id").optional(),
  out: z.string().min(1).optional(),
});

export const agencyFileCommand = {
  args: agencyFileArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number | undefined> {
    const a = raw as z.infer<typeof agencyFileArgs>;
    const id = a.id ?? (await listAgencyFiles(ctx, 1))[0]?.id;
    if (id === undefined) {
      io.err.write("no placement file yet: the collections run makes one on a day it refers accounts\n");
      return 1;
    }
    const file = await agencyFileContent(ctx, id);
    if (a.out) {
      await writeFile(a.out, file.content);
      io.err.write(`placement file ${id} written to ${a.out} (${file.name})\n`);
    } else io.out.write(file.content);
    return 0;
  },
};

export function addPolicyCommands(program: Command, dispatch: (name: string, args: unknown) => Promise<number>) {
  const policy = program.command("policy").description("the utility's policy as the system applies it");
  policy
    .command("explain")
    .description("every decision policy makes for an account on a date, with its rule, facts and explanation (JSON)")
    .requiredOption("--account <number>", "the account number")
    .option("--date <date>", "the business date, YYYY-MM-DD (default today)")
    .option("--profile <profile>", `decide under another profile: ${PROFILES.join(" or ")}`)
    .action(async (opts: { account: string; date?: string; profile?: string }) => {
      process.exitCode = await dispatch("policy explain", opts);
    });
  program
    .command("deposits")
    .description("customer deposits")
    .command("refund")
    .description("refund every deposit whose run of on-time payments is complete (with interest where policy says)")
    .option("--date <date>", "the business date, YYYY-MM-DD (default today)")
    .action(async (opts: { date?: string }) => {
      process.exitCode = await dispatch("deposits refund", opts);
    });
  const collections = program.command("collections").description("collections of delinquent accounts");
  collections
    .command("run")
    .description("the daily collections run: notices, holds and disconnect orders on the policy's days (JSON)")
    .option("--date <date>", "the business date, YYYY-MM-DD (default today)")
    .action(async (opts: { date?: string }) => {
      process.exitCode = await dispatch("collections run", opts);
    });
  collections
    .command("agency-file")
    .description("a placement file sent to the collection agency, as sent (the newest unless --id)")
    .option("--id <id>", "the placement file's id")
    .option("--out <path>", "write it to this file instead of standard output")
    .action(async (opts: { id?: string; out?: string }) => {
      process.exitCode = await dispatch("collections agency-file", opts);
    });
}
