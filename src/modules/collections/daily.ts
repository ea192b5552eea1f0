/**
 * The daily collections run: every delinquent account moves through reminder, past-due notice, final notice and
 * disconnect order on the policy's days, unless something holds it (and then the state says which rule and why).
 * Set-based: arrangements are checked in one pass, then accounts are taken a range of ids at a time, each range one
 * statement of facts and a handful of array writes in one transaction. Run again on the same day, it adds nothing.
 */
import { sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { cancelOrders, openOrders } from "../orders/index.js";
import { policyInForce } from "../policy/index.js";
import { monitorAmp } from "./amp.js";
import { runClosedAccounts } from "./closed.js";
import { sendNoticeEmails } from "./email.js";
import { type Candidate, gatherFacts } from "./facts.js";
import { monitorArrangements } from "./monitor.js";
import {
  type Action,
  type CollectionRules,
  decide,
  disconnectFrom,
  finalNoticeDays,
  plusDays,
  type Step,
} from "./steps.js";

/** Accounts per range: each range is one facts statement and one write transaction. */
export const RANGE = 50_000;

export interface CollectionRunResult {
  run_id: number;
  as_of: string;
  profile: string;
  candidates: number;
  reminder: number;
  notice: number;
  final_notice: number;
  disconnect_ordered: number;
  disconnected: number;
  blocked: number;
  cured: number;
  orders_cancelled: number;
  arrangements_broken: number;
  arrangements_completed: number;
  closed_transferred: number;
  closed_notices: number;
  closed_written_off: number;
  closed_referred: number;
  closed_recoveries: number;
  closed_cured: number;
  amp_forgiven: number;
  amp_completed: number;
  amp_removed: number;
  /** Notices emailed, and notices to email that go by mail instead (email_error says why). */
  emailed: number;
  email_failed: number;
}

const NOTICES = new Set<Step>(["reminder", "notice", "final_notice"]);

type Writes = {
  events: {
    account: number;
    kind: string;
    rule: string;
    says: string;
    facts: string;
    cents: bigint;
    channel: string | null;
  }[];
  orders: { account: number; premise: number | null; reason: string; due: string }[];
  states: {
    account: number;
    step: Step;
    step_on: string;
    notice_on: string | null;
    disconnect_from: string | null;
    cents: bigint;
    oldest: string;
    rule: string | null;
    reason: string | null;
    since: string | null;
  }[];
  cured: number[];
};

function factsOf(c: Candidate, a: Action) {
  return JSON.stringify({
    past_due_cents: c.past_due_cents.toString(),
    oldest_due: c.oldest_due,
    step: c.state?.step ?? null,
    disputed_cents: c.disputed_cents.toString(),
    pre_petition_cents: c.pre_petition_cents.toString(),
    ...(a.kind === "blocked" ? { would: a.would, holds: a.holds.map((h) => h.rule_id) } : {}),
  });
}

/** Turns each candidate's decision into rows to write. */
function plan(cands: Candidate[], rules: CollectionRules, today: string, counts: CollectionRunResult): Writes {
  const w: Writes = { events: [], orders: [], states: [], cured: [] };
  for (const c of cands) {
    const a = decide(c, rules, today);
    const s = c.state;
    const keep = s && {
      account: c.account_id,
      step: s.step,
      step_on: s.step_on,
      notice_on: s.notice_on,
      disconnect_from: s.disconnect_from,
      cents: c.past_due_cents,
      oldest: c.oldest_due ?? today,
      rule: null as string | null,
      reason: null as string | null,
      since: null as string | null,
    };
    const event = (kind: string, rule: string, says: string, channel: string | null = null) =>
      w.events.push({
        account: c.account_id,
        kind,
        rule,
        says,
        facts: factsOf(c, a),
        cents: c.past_due_cents,
        channel,
      });
    switch (a.kind) {
      case "none":
        if (keep) w.states.push(keep);
        break;
      case "cure":
        counts.cured++;
        w.cured.push(c.account_id);
        event("cured", a.rule_id, a.says);
        break;
      case "disconnected":
        counts.disconnected++;
        event("disconnected", a.rule_id, a.says);
        if (keep) w.states.push({ ...keep, step: "disconnected", step_on: today });
        break;
      case "blocked": {
        counts.blocked++;
        if (!keep) break;
        const rule = a.holds[0]!.rule_id;
        const same = s?.blocked_rule === rule;
        if (!same) event("blocked", rule, a.says);
        w.states.push({ ...keep, rule, reason: a.says, since: same ? null : today });
        break;
      }
      case "step": {
        counts[a.step]++;
        const noticeOn = a.step === "notice" ? today : (s?.notice_on ?? null);
        let cut = a.step === "notice" ? disconnectFrom(today, rules) : (s?.disconnect_from ?? null);
        if (a.step === "final_notice") {
          const after = plusDays(today, finalNoticeDays(rules));
          if (!cut || cut < after) cut = after;
        }
        if (a.step === "disconnect_ordered") {
          w.orders.push({ account: c.account_id, premise: c.premise_id, reason: a.says, due: today });
        }
        event(a.step, a.rule_id, a.says, NOTICES.has(a.step) ? c.notice_channel : null);
        w.states.push({
          account: c.account_id,
          step: a.step,
          step_on: today,
          notice_on: noticeOn,
          disconnect_from: cut,
          cents: c.past_due_cents,
          oldest: c.oldest_due ?? today,
          rule: null,
          reason: null,
          since: null,
        });
        break;
      }
    }
  }
  return w;
}

const col = <T, K extends keyof T>(rows: T[], k: K) =>
  sql.param(rows.map((r) => (typeof r[k] === "bigint" ? (r[k] as bigint).toString() : r[k])));

async function write(tx: Ctx, w: Writes, today: string, counts: CollectionRunResult) {
  const orderOf = await openOrders(
    tx,
    "disconnect_nonpay",
    "collections",
    w.orders.map((o) => ({ account_id: o.account, premise_id: o.premise, reason: o.reason, due_on: o.due })),
    today,
  );
  if (w.cured.length > 0) {
    const [held] = await preparedRows<{ ids: bigint[] | null }>(
      tx,
      sql`SELECT array_agg(order_id) AS ids FROM collection_states
          WHERE account_id = ANY (${sql.param(w.cured)}::int8[]) AND order_id IS NOT NULL`,
    );
    counts.orders_cancelled += await cancelOrders(
      tx,
      (held?.ids ?? []).map(Number),
      "paid before the work",
      "collections",
    );
    await preparedRows(tx, sql`DELETE FROM collection_states WHERE account_id = ANY (${sql.param(w.cured)}::int8[])`);
  }
  if (w.events.length > 0) {
    const orders = sql.param(
      w.events.map((e) => (e.kind === "disconnect_ordered" ? (orderOf.get(e.account) ?? null) : null)),
    );
    await preparedRows(
      tx,
      sql`INSERT INTO collection_events
            (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents, channel, order_id)
          SELECT e.account, ${today}::date, e.kind, e.rule, e.says, e.facts::jsonb, e.cents, e.channel, e.order_id
          FROM unnest(${col(w.events, "account")}::int8[], ${col(w.events, "kind")}::text[],
                      ${col(w.events, "rule")}::text[], ${col(w.events, "says")}::text[],
                      ${col(w.events, "facts")}::text[], ${col(w.events, "cents")}::int8[],
                      ${col(w.events, "channel")}::text[], ${orders}::int8[])
            AS e(account, kind, rule, says, facts, cents, channel, order_id)
          ON CONFLICT (account_id, kind, on_date) DO NOTHING`,
    );
  }
  if (w.states.length > 0) {
    const orders = sql.param(w.states.map((s) => orderOf.get(s.account) ?? null));
    await preparedRows(
      tx,
      sql`INSERT INTO collection_states AS cs
            (account_id, step, step_on, notice_on, disconnect_from, past_due_cents, oldest_due, blocked_rule,
             blocked_reason, blocked_since, order_id, evaluated_on)
          SELECT s.account, s.step, s.step_on, s.notice_on, s.cut, s.cents, s.oldest, s.rule, s.reason, s.since,
                 s.order_id, ${today}::date
          FROM unnest(${col(w.states, "account")}::int8[], ${col(w.states, "step")}::text[],
                      ${col(w.states, "step_on")}::date[], ${col(w.states, "notice_on")}::date[],
                      ${col(w.states, "disconnect_from")}::date[], ${col(w.states, "cents")}::int8[],
                      ${col(w.states, "oldest")}::date[], ${col(w.states, "rule")}::text[],
                      ${col(w.states, "reason")}::text[], ${col(w.states, "since")}::date[], ${orders}::int8[])
            AS s(account, step, step_on, notice_on, cut, cents, oldest, rule, reason, since, order_id)
          ON CONFLICT (account_id) DO UPDATE SET
            step = excluded.step, step_on = excluded.step_on, notice_on = excluded.notice_on,
            disconnect_from = excluded.disconnect_from, past_due_cents = excluded.past_due_cents,
            oldest_due = excluded.oldest_due, blocked_rule = excluded.blocked_rule,
            blocked_reason = excluded.blocked_reason,
            blocked_since = CASE WHEN excluded.blocked_rule IS NULL THEN NULL
                                 ELSE coalesce(excluded.blocked_since, cs.blocked_since) END,
            order_id = coalesce(excluded.order_id, cs.order_id), evaluated_on = excluded.evaluated_on,
            version = cs.version + 1
          WHERE (cs.step, cs.step_on, cs.past_due_cents, cs.oldest_due, cs.blocked_rule, cs.blocked_reason,
                 cs.order_id, cs.disconnect_from)
            IS DISTINCT FROM (excluded.step, excluded.step_on, excluded.past_due_cents, excluded.oldest_due,
                 excluded.blocked_rule, excluded.blocked_reason, coalesce(excluded.order_id, cs.order_id),
                 excluded.disconnect_from)`,
    );
  }
}

/** Runs collections for a day (today by default; never a day to come). Safe to run again the same day. */
export async function runCollections(ctx: Ctx, opts: { date?: string } = {}): Promise<CollectionRunResult> {
  const today = ctx.clock.today().toString();
  const asOf = opts.date ?? today;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || asOf > today) {
    throw badRequest("date: a date YYYY-MM-DD, not after today", [{ field: "date", message: `not after ${today}` }]);
  }
  const policy = await policyInForce(ctx, asOf);
  const rules = policy.rules.collections;
  const [run] = await preparedRows<{ id: bigint }>(
    ctx,
    sql`INSERT INTO collection_runs (on_date, started_by) VALUES (${asOf}::date, ${ctx.actor.username}) RETURNING id`,
  );
  const counts: CollectionRunResult = {
    run_id: Number(run!.id),
    as_of: asOf,
    profile: policy.profile,
    candidates: 0,
    reminder: 0,
    notice: 0,
    final_notice: 0,
    disconnect_ordered: 0,
    disconnected: 0,
    blocked: 0,
    cured: 0,
    orders_cancelled: 0,
    arrangements_broken: 0,
    arrangements_completed: 0,
    closed_transferred: 0,
    closed_notices: 0,
    closed_written_off: 0,
    closed_referred: 0,
    closed_recoveries: 0,
    closed_cured: 0,
    amp_forgiven: 0,
    amp_completed: 0,
    amp_removed: 0,
    emailed: 0,
    email_failed: 0,
  };
  await inTx(ctx, async (tx) => {
    // One run at a time: two at once would both take the same step.
    await preparedRows(tx, sql`SELECT pg_advisory_xact_lock(7460003)`);
    const monitored = await monitorArrangements(tx, asOf, rules);
    counts.arrangements_broken = monitored.broken;
    counts.arrangements_completed = monitored.completed;
    const amp = await monitorAmp(tx, asOf, rules);
    counts.amp_forgiven = amp.forgiven;
    counts.amp_completed = amp.completed;
    counts.amp_removed = amp.removed;
  });
  // The states grow and shrink by tens of thousands of rows a day: fresh statistics keep the facts statement's plan
  // sound (autovacuum's analyze may come hours later). Sampling costs a fraction of a second.
  await ctx.database.rows(ctx.db, sql`ANALYZE collection_states`);
  const [bounds] = await preparedRows<{ lo: bigint | null; hi: bigint | null }>(
    ctx,
    sql`SELECT min(id) AS lo, max(id) AS hi FROM accounts`,
  );
  const lo = Number(bounds?.lo ?? 1);
  const hi = Number(bounds?.hi ?? 0);
  for (let from = lo; from <= hi; from += RANGE) {
    await inTx(ctx, async (tx) => {
      await preparedRows(tx, sql`SELECT pg_advisory_xact_lock(7460003)`);
      const cands = await gatherFacts(tx, { from, to: from + RANGE }, asOf, rules, BigInt(rules.min_notice_cents));
      counts.candidates += cands.length;
      await write(tx, plan(cands, rules, asOf, counts), asOf, counts);
    });
  }
  await inTx(ctx, async (tx) => {
    await preparedRows(tx, sql`SELECT pg_advisory_xact_lock(7460003)`);
    Object.assign(counts, await runClosedAccounts(tx, asOf, rules));
  });
  Object.assign(counts, await sendNoticeEmails(ctx, asOf));
  await inTx(ctx, async (tx) => {
    await preparedRows(
      tx,
      sql`UPDATE collection_runs SET finished_at = now(), counts = ${JSON.stringify(counts)}::jsonb
          WHERE id = ${counts.run_id}::int8`,
    );
    await audit(tx, {
      entityType: "collection_run",
      entityId: counts.run_id,
      action: "run",
      after: counts as unknown as Record<string, unknown>,
    });
  });
  return counts;
}
