/**
 * Every decision policy makes for an account on a date, computed afresh from the data: which rule decided, on what
 * facts, and the sentence the CSR reads. Contexts contribute their decisions as sources (credit and deposits now;
 * collections and restoration as they come); app.ts and the CLI hand the sources in.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import { badRequest, notFound } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { type PolicyInForce, type ProfileName, policyInForce } from "./rules.js";

/** One decision: `rule_id` names the rule (e.g. deposit.establishment.poor_credit), `facts` what it used. */
export interface PolicyDecision {
  rule_id: string;
  decision: string;
  facts: Record<string, unknown>;
  explanation: string;
  amount_cents?: string | null;
}

/** The account as policy sources see it. */
export interface PolicyAccount {
  id: number;
  account_number: string;
  status: string;
  customer_class: string;
  main_party_id: number;
  opened_on: string;
}

export type DecisionSource = (ctx: Ctx, account: PolicyAccount, policy: PolicyInForce) => Promise<PolicyDecision[]>;

export interface PolicyExplanation {
  account_id: number;
  account_number: string;
  as_of: string;
  profile: ProfileName;
  decisions: PolicyDecision[];
}

/** The account as policy sees it, by id or number (404 naming the field when there is none). */
export async function findAccount(ctx: Ctx, by: { id?: number; number?: string }): Promise<PolicyAccount> {
  const [row] = await preparedRows<PolicyAccount & { id: bigint; main_party_id: bigint }>(
    ctx,
    by.id !== undefined
      ? sql`SELECT id, account_number, status, customer_class, main_party_id, opened_on::text AS opened_on
            FROM accounts WHERE id = ${by.id}::int8`
      : sql`SELECT id, account_number, status, customer_class, main_party_id, opened_on::text AS opened_on
            FROM accounts WHERE account_number = ${by.number ?? ""}`,
  );
  if (!row) {
    throw by.id !== undefined
      ? notFound(`account ${by.id}`, "account_id")
      : notFound(`account ${by.number}`, "account");
  }
  return { ...row, id: Number(row.id), main_party_id: Number(row.main_party_id) };
}

function checkDate(date: string | undefined, today: string): string {
  if (date === undefined) return today;
  try {
    if (/^\d{4}-\d{2}-\d{2}$/.test(date)) return Temporal.PlainDate.from(date).toString();
  } catch {
    // fall through
  }
  throw badRequest("date: a date YYYY-MM-DD", [{ field: "date", message: "a date YYYY-MM-DD" }]);
}

/** Every decision for the account on the date (today by default), from every source, under the profile in force. */
export async function explainPolicy(
  ctx: Ctx,
  by: { id?: number; number?: string },
  sources: DecisionSource[],
  opts: { date?: string; profile?: ProfileName } = {},
): Promise<PolicyExplanation> {
  const asOf = checkDate(opts.date, ctx.clock.today().toString());
  const account = await findAccount(ctx, by);
  const policy = await policyInForce(ctx, asOf, opts.profile);
  const decisions: PolicyDecision[] = [];
  for (const source of sources) decisions.push(...(await source(ctx, account, policy)));
  return {
    account_id: account.id,
    account_number: account.account_number,
    as_of: asOf,
    profile: policy.profile,
    decisions,
  };
}
