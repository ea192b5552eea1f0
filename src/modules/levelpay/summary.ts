/**
 * Level pay as the account view and policy explain show it: the plan (level amount, deferred balance, next review and
 * true-up), its events with their sentences, and policy's decision on enrolling today.
 */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { type DecisionSource, findAccount, type PolicyDecision, policyInForce } from "../policy/index.js";
import { decideEnrolment, enrolmentFacts } from "./eligibility.js";
import { type LevelPayRules, nextReviewOn } from "./plan.js";

export interface PlanView {
  id: number;
  account_id: number;
  status: "enrolled" | "ended";
  enrolled_on: string;
  enrolled_by: string;
  level_cents: bigint;
  /** The bills less the level amounts asked since the last true-up: more than zero, the customer owes it. */
  deferred_cents: bigint;
  last_review_on: string;
  /** While enrolled: the first bill date a review may come with, and the true-up's. */
  next_review_on: string | null;
  true_up_on: string | null;
  ended_on: string | null;
  ended_reason: string | null;
  ended_by: string | null;
  version: number;
}

export interface LevelPayEventView {
  id: number;
  plan_id: number;
  on_date: string;
  kind: string;
  bill_id: number | null;
  actual_cents: bigint | null;
  level_cents: bigint;
  deferred_after_cents: bigint;
  settled_cents: bigint | null;
  entry_id: number | null;
  rule_id: string;
  explanation: string;
  recorded_by: string;
}

export interface LevelPayView {
  account_id: number;
  as_of: string;
  profile: string;
  rules: LevelPayRules;
  /** Policy's decision on enrolling today (when enrolled: that it is, with the plan's amounts). */
  decision: PolicyDecision & { eligible: boolean };
  /** The account's latest plan, in force or ended; null when it never had one. */
  plan: PlanView | null;
  /** Every plan's events, newest first. */
  events: LevelPayEventView[];
}

type PlanRow = Omit<PlanView, "id" | "account_id" | "next_review_on"> & { id: bigint; account_id: bigint };
type EventRow = Omit<LevelPayEventView, "id" | "plan_id" | "bill_id" | "entry_id"> & {
  id: bigint;
  plan_id: bigint;
  bill_id: bigint | null;
  entry_id: bigint | null;
};

/** Policy's decision on enrolling the account as of a day. */
async function decisionOf(ctx: Ctx, accountId: number, asOf: string, rules: LevelPayRules) {
  const facts = await enrolmentFacts(ctx, accountId, asOf, rules);
  const { level_cents: _level, ...decision } = decideEnrolment(facts!, rules);
  return decision;
}

/** The account's level pay section. */
export async function levelPayOf(ctx: Ctx, accountId: number): Promise<LevelPayView> {
  await findAccount(ctx, { id: accountId });
  const today = ctx.clock.today().toString();
  const policy = await policyInForce(ctx, today);
  const rules = policy.rules.collections.level_pay;
  const [plan] = await preparedRows<PlanRow>(
    ctx,
    sql`SELECT id, account_id, status, enrolled_on::text AS enrolled_on, enrolled_by, level_cents, deferred_cents,
               last_review_on::text AS last_review_on, true_up_on::text AS true_up_on, ended_on::text AS ended_on,
               ended_reason, ended_by, version
        FROM level_pay_plans WHERE account_id = ${accountId}::int8 ORDER BY id DESC LIMIT 1`,
  );
  const events = await preparedRows<EventRow>(
    ctx,
    sql`SELECT id, plan_id, on_date::text AS on_date, kind, bill_id, actual_cents, level_cents, deferred_after_cents,
               settled_cents, entry_id, rule_id, explanation, recorded_by
        FROM level_pay_events WHERE account_id = ${accountId}::int8 ORDER BY id DESC LIMIT 100`,
  );
  const enrolled = plan?.status === "enrolled";
  return {
    account_id: accountId,
    as_of: today,
    profile: policy.profile,
    rules,
    decision: await decisionOf(ctx, accountId, today, rules),
    plan: plan
      ? {
          ...plan,
          id: Number(plan.id),
          account_id: Number(plan.account_id),
          next_review_on: enrolled ? nextReviewOn(plan, rules) : null,
          true_up_on: enrolled ? plan.true_up_on : null,
        }
      : null,
    events: events.map((e) => ({
      ...e,
      id: Number(e.id),
      plan_id: Number(e.plan_id),
      bill_id: e.bill_id === null ? null : Number(e.bill_id),
      entry_id: e.entry_id === null ? null : Number(e.entry_id),
    })),
  };
}

/** Level pay's source for `kilowatt policy explain`: may the account join, and at what amount. */
export const levelPayDecisionSource: DecisionSource = async (ctx, account, policy) => {
  const { eligible: _eligible, ...decision } = await decisionOf(
    ctx,
    account.id,
    policy.as_of,
    policy.rules.collections.level_pay,
  );
  return [decision];
};
