/**
 * Collections as the account view and policy explain show it: where the account stands, what the run would do
 * today and why, what protects the customer, the next step and its date, the notices sent and the arrangements,
 * disputes, energy-assistance pledges and orders on the account.
 */
import { sql } from "drizzle-orm";
import { formatCents } from "../../core/money.js";
import { isoInstant } from "../../platform/clock.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { accountBalances } from "../ledger/index.js";
import { listOrders } from "../orders/index.js";
import { type DecisionSource, findAccount, type PolicyDecision, policyInForce } from "../policy/index.js";
import { ampDecision, ampFacts, ampOf } from "./amp.js";
import { arrangementsOf } from "./arrangements.js";
import { bankruptciesOf } from "./bankruptcy.js";
import { closedDecision, closedStateOf, gatherClosed } from "./closed.js";
import { disputesOf, pledgesOf } from "./disputes.js";
import { gatherFacts } from "./facts.js";
import {
  type CollectionFacts,
  type CollectionRules,
  decide,
  nextStep,
  pauses,
  protections,
  STEP_WORDS,
} from "./steps.js";

export interface CollectionEventView {
  id: number;
  on_date: string;
  kind: string;
  rule_id: string;
  explanation: string;
  past_due_cents: bigint;
  channel: string | null;
  /** When the notice was emailed, and to whom; or why it could not be (its letter then goes by mail). */
  emailed_at: string | null;
  emailed_to: string | null;
  email_error: string | null;
  order_id: number | null;
  /** Notices have a letter: GET /api/v1/collection-notices/{id}/pdf */
  notice: boolean;
}

export const NOTICE_KINDS = [
  "reminder",
  "notice",
  "final_notice",
  "arrangement_broken",
  "closed_notice",
  "closed_final_notice",
];

/** One account's facts today (an account with nothing past due has facts too: nothing to collect). */
export async function accountFacts(ctx: Ctx, accountId: number, today: string, rules: CollectionRules) {
  const [facts] = await gatherFacts(ctx, { from: accountId, to: accountId + 1 }, today, rules, 0n);
  return facts ?? null;
}

/** The decisions collections makes for an account on a day, each with its rule, facts and sentence. */
export function collectionDecisions(
  f: CollectionFacts | null,
  rules: CollectionRules,
  today: string,
): PolicyDecision[] {
  if (!f || (f.past_due_cents === 0n && !f.state)) {
    return [
      {
        rule_id: "collections.current",
        decision: "nothing_to_collect",
        facts: { past_due_cents: "0" },
        explanation: "Nothing past due: no collection step.",
      },
    ];
  }
  const facts = {
    past_due_cents: f.past_due_cents.toString(),
    oldest_due: f.oldest_due,
    step: f.state?.step ?? null,
    step_on: f.state?.step_on ?? null,
    disputed_cents: f.disputed_cents.toString(),
    pre_petition_cents: f.pre_petition_cents.toString(),
  };
  const out: PolicyDecision[] = [];
  const action = decide(f, rules, today);
  const next = nextStep(f, rules, today);
  if (action.kind === "step") {
    out.push({ rule_id: action.rule_id, decision: action.step, facts, explanation: action.says });
  } else if (action.kind === "blocked") {
    out.push({
      rule_id: action.holds[0]!.rule_id,
      decision: "blocked",
      facts: { ...facts, would: action.would, holds: action.holds.map((h) => h.rule_id) },
      explanation: action.says,
    });
  } else if (action.kind === "cure" || action.kind === "disconnected") {
    out.push({ rule_id: action.rule_id, decision: action.kind, facts, explanation: action.says });
  } else if (f.past_due_cents < BigInt(rules.min_notice_cents) && !f.state) {
    out.push({
      rule_id: "collections.below_minimum",
      decision: "none",
      facts: { ...facts, min_notice_cents: rules.min_notice_cents },
      explanation: `The past-due amount is under the ${formatCents(BigInt(rules.min_notice_cents))} policy dunns for: no notice.`,
    });
  } else {
    const where = f.state ? `The account is at the ${STEP_WORDS[f.state.step]} (since ${f.state.step_on})` : "Past due";
    out.push({
      rule_id: "collections.waiting",
      decision: "waiting",
      facts,
      explanation: next ? `${where}; the ${STEP_WORDS[next.step]} may follow on ${next.on}.` : `${where}.`,
    });
  }
  const held = new Set(action.kind === "blocked" ? action.holds.map((h) => h.rule_id) : []);
  for (const h of [...pauses(f), ...protections(f, rules, today)]) {
    if (held.has(h.rule_id)) continue;
    out.push({
      rule_id: h.rule_id,
      decision: "protects",
      facts: {},
      explanation: `Would hold ${h.rule_id.startsWith("collections.hold.") ? "every collection step" : "disconnection"}: ${h.says}.`,
    });
  }
  return out;
}

/** Collections' source for `kilowatt policy explain`: the dunning steps, a closed account's balance, and AMP. */
export const collectionsDecisionSource: DecisionSource = async (ctx, account, policy) => {
  const rules = policy.rules.collections;
  const today = policy.as_of;
  const out = collectionDecisions(await accountFacts(ctx, account.id, today, rules), rules, today);
  const [closed] = await gatherClosed(ctx, account.id);
  if (closed) out.push(closedDecision(closed, rules, today));
  const {
    eligible: _e,
    enrol_cents: _c,
    ...amp
  } = ampDecision(await ampFacts(ctx, account.id, today, rules), rules, today);
  out.push(amp);
  return out;
};

/** The section's decisions: the dunning steps', or a closed account's when it is one. */
async function sectionDecisions(
  ctx: Ctx,
  accountId: number,
  facts: CollectionFacts | null,
  rules: CollectionRules,
  today: string,
): Promise<PolicyDecision[]> {
  const [closed] = await gatherClosed(ctx, accountId);
  if (closed) return [closedDecision(closed, rules, today)];
  return collectionDecisions(facts, rules, today);
}

/** The account's collections section. */
export async function collectionsOf(ctx: Ctx, accountId: number) {
  await findAccount(ctx, { id: accountId });
  const today = ctx.clock.today().toString();
  const policy = await policyInForce(ctx, today);
  const rules = policy.rules.collections;
  const facts = await accountFacts(ctx, accountId, today, rules);
  const [state] = await preparedRows<{
    step: string;
    step_on: string;
    notice_on: string | null;
    disconnect_from: string | null;
    blocked_rule: string | null;
    blocked_reason: string | null;
    blocked_since: string | null;
    order_id: bigint | null;
    evaluated_on: string;
  }>(
    ctx,
    sql`SELECT step, step_on::text AS step_on, notice_on::text AS notice_on, disconnect_from::text AS disconnect_from,
          blocked_rule, blocked_reason, blocked_since::text AS blocked_since, order_id, evaluated_on::text AS evaluated_on
        FROM collection_states WHERE account_id = ${accountId}::int8`,
  );
  const events = await preparedRows<
    Omit<CollectionEventView, "id" | "order_id" | "notice"> & { id: bigint; order_id: bigint | null }
  >(
    ctx,
    sql`SELECT e.id, e.on_date::text AS on_date, e.kind, e.rule_id, e.explanation, e.past_due_cents, e.channel,
          e.emailed_at::text AS emailed_at, e.email_error, e.order_id,
          CASE WHEN e.emailed_at IS NOT NULL THEN
            (SELECT l.after->>'to' FROM audit_log AS l
             WHERE l.entity_type = 'collection_notice' AND l.entity_id = e.id::text
               AND l.action = 'collections.notice_emailed'
             ORDER BY l.id DESC LIMIT 1)
          END AS emailed_to
        FROM collection_events AS e WHERE e.account_id = ${accountId}::int8 ORDER BY e.on_date DESC, e.id DESC LIMIT 50`,
  );
  const next = facts ? nextStep(facts, rules, today) : null;
  return {
    account_id: accountId,
    as_of: today,
    profile: policy.profile,
    balances: await accountBalances(ctx, accountId, today),
    collectible_past_due_cents: facts?.past_due_cents ?? 0n,
    disputed_cents: facts?.disputed_cents ?? 0n,
    pre_petition_cents: facts?.pre_petition_cents ?? 0n,
    state: state ? { ...state, order_id: state.order_id === null ? null : Number(state.order_id) } : null,
    next: next ? { step: next.step, on: next.on, words: STEP_WORDS[next.step] } : null,
    decisions: await sectionDecisions(ctx, accountId, facts, rules, today),
    events: events.map(
      (e): CollectionEventView => ({
        ...e,
        id: Number(e.id),
        emailed_at: e.emailed_at === null ? null : isoInstant(e.emailed_at),
        order_id: e.order_id === null ? null : Number(e.order_id),
        notice: NOTICE_KINDS.includes(e.kind),
      }),
    ),
    arrangements: await arrangementsOf(ctx, accountId),
    disputes: await disputesOf(ctx, accountId),
    pledges: await pledgesOf(ctx, accountId),
    orders: await listOrders(ctx, { account_id: accountId, limit: 20 }),
    bankruptcies: await bankruptciesOf(ctx, accountId),
    closed: await closedStateOf(ctx, accountId),
    amp: await ampOf(ctx, accountId),
    rules: {
      arrangement_max_months: rules.arrangement_max_months,
      extension_max_days: rules.extension_max_days,
      min_notice_cents: rules.min_notice_cents,
    },
  };
}
