import { z } from "zod";
import { createToken, createUser, ROLE_NAMES } from "../modules/identity/index.js";
import { checkRange, describeViolation, glSummary, glSummaryCsv, verifyLedger } from "../modules/ledger/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";
import { Problem } from "../platform/errors.js";
import { migrate } from "../platform/migrate.js";
import { seedUtility } from "../seed/seed.js";
import { billRunCommand } from "./billing.js";
import { exportRefunds } from "./exports-refunds.js";
import { levelPayRunCommand } from "./level-pay.js";
import { lockboxImportCommand } from "./lockbox.js";
import { intervalsExportCommand, intervalsImportCommand, readsImportCommand } from "./metering.js";
import { agencyFileCommand, collectionsRunCommand, depositsRefundCommand, policyExplainCommand } from "./policy.js";
import {
  billQuoteCommand,
  ratesCompareCommand,
  tariffImportCommand,
  tariffImportUrdbCommand,
  tariffListCommand,
  tariffShowCommand,
} from "./rates.js";
import { serviceStopsRunCommand } from "./service.js";

/**
 * The CLI's data commands, written once: the CLI runs them on a database it opened, or the server runs them for the
 * CLI (embedded mode, where the server holds the data dir). Arguments arrive as plain JSON either way and are checked
 * here, so both paths accept exactly the same input.
 */
interface Command<A> {
  args: z.ZodType<A>;
  /** Resolves to the exit code when it is not 0 (a check that found problems). */
  run(ctx: Ctx, args: A, io: CommandIO): Promise<number | undefined>;
}

const json = (value: unknown) => `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;

const define = <A>(command: Command<A>) => command as Command<unknown>;

export const COMMANDS: Record<string, Command<unknown>> = {
  migrate: define({
    args: z.object({}),
    async run(ctx, _args, io) {
      const applied = await migrate(ctx.database);
      io.err.write(applied.length ? `applied ${applied.join(", ")}\n` : "the database is up to date\n");
      io.out.write(json({ applied }));
    },
  }),
  "user create": define({
    args: z.object({
      username: z.string().min(1),
      password: z.string(),
      role: z.array(z.enum(ROLE_NAMES as [string, ...string[]])).min(1),
      name: z.string().optional(),
      email: z.string().optional(),
    }),
    async run(ctx, a, io) {
      const user = await createUser(ctx, {
        username: a.username,
        password: a.password,
        roles: a.role,
        display_name: a.name ?? a.username,
        email: a.email ?? null,
      });
      io.out.write(json(user));
    },
  }),
  "token create": define({
    args: z.object({ user: z.string().min(1), name: z.string().min(1).default("cli") }),
    async run(ctx, a, io) {
      const created = await createToken(ctx, a.user, a.name);
      io.out.write(`${created.token}\n`);
    },
  }),
  seed: define({
    args: z.object({
      accounts: z.coerce.number().int().min(1).max(50_000_000),
      seed: z.coerce.number().int().min(0).max(0xffffffff).default(1),
    }),
    async run(ctx, a, io) {
      const result = await seedUtility(ctx, { accounts: a.accounts, seed: a.seed, progress: io.err });
      io.err.write(
        `seeded ${result.accounts.toLocaleString("en-US")} accounts (${result.total_rows.toLocaleString("en-US")} rows) in ${result.seconds} s\n`,
      );
      io.out.write(json(result));
    },
  }),
  "export gl-summary": define({
    args: z.object({
      from: z.iso.date(),
      to: z.iso.date().optional(),
      format: z.enum(["csv", "json"]).default("csv"),
    }),
    async run(ctx, a, io) {
      const to = a.to ?? a.from;
      checkRange(a.from, to);
      const summary = await glSummary(ctx, a.from, to);
      io.out.write(a.format === "json" ? json(summary) : glSummaryCsv(summary));
      io.err.write(`GL summary ${a.from}..${to}: ${summary.lines.length} lines\n`);
    },
  }),
  "export refunds": define(exportRefunds),
  "lockbox import": define(lockboxImportCommand),
  "bill-run": define(billRunCommand),
  "tariff list": define(tariffListCommand),
  "tariff show": define(tariffShowCommand),
  "tariff import": define(tariffImportCommand),
  "tariff import-urdb": define(tariffImportUrdbCommand),
  "bill quote": define(billQuoteCommand),
  "rates compare": define(ratesCompareCommand),
  "reads import": define(readsImportCommand),
  "intervals import": define(intervalsImportCommand),
  "intervals export": define(intervalsExportCommand),
  "policy explain": define(policyExplainCommand),
  "deposits refund": define(depositsRefundCommand),
  "collections run": define(collectionsRunCommand),
  "collections agency-file": define(agencyFileCommand),
  "level-pay run": define(levelPayRunCommand),
  "service-stops run": define(serviceStopsRunCommand),
  "ledger verify": define({
    args: z.object({ format: z.enum(["text", "json"]).default("text") }),
    async run(ctx, a, io) {
      const result = await verifyLedger(ctx);
      if (a.format === "json") io.out.write(json(result));
      else if (result.balanced) io.out.write(`ledger balanced: ${result.entries} entries\n`);
      else {
        for (const v of result.violations) io.out.write(`${describeViolation(v)}\n`);
        io.err.write(`ledger NOT balanced: ${result.violations.length} violations in ${result.entries} entries\n`);
      }
      return result.balanced ? 0 : 1;
    },
  }),
};

/** A failure as one line for people: the message, and which fields were wrong. */
export function describeError(err: unknown): string {
  if (err instanceof z.ZodError) {
    return `error: ${err.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}`;
  }
  if (err instanceof Problem) {
    return `error: ${err.message}${Array.isArray(err.extra.errors) && err.extra.errors.length ? ` ${JSON.stringify(err.extra.errors)}` : ""}`;
  }
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

/** Runs a named command on an open database; resolves to its exit code (errors are written to io.err). */
export async function runCommand(ctx: Ctx, name: string, args: unknown, io: CommandIO): Promise<number> {
  const command = COMMANDS[name];
  if (!command) {
    io.err.write(`error: no command ${name}\n`);
    return 2;
  }
  try {
    return (await command.run(ctx, command.args.parse(args), io)) ?? 0;
  } catch (err) {
    io.err.write(`${describeError(err)}\n`);
    return 1;
  }
}
