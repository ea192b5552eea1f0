/**
 * The daily level pay run: every bill issued to an enrolled account since its plan last looked is leveled (the
 * customer asked for the level amount, the difference deferred), and reviews and true-ups fall due with the bills;
 * a bill cancelled after it was leveled has its difference taken back; the plans of accounts that closed end, their
 * deferred balance settled. Set-based: plans are taken a batch at a time, each batch one read of its bills, two bulk
 * ledger postings and one write each of events and plans, in one transaction. Run again the same day, it finds
 * nothing new (a bill is leveled once: a unique index on its events).
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { getSetting } from "../../platform/settings.js";
import { dueDays } from "../billing/run-settings.js";
import { policyInForce } from "../policy/index.js";
import { takeBackCancelled } from "./cancelled.js";
import { endingOf } from "./ending.js";
import {
  addMonths,
  applyBill,
  type BillIn,
  type BillWindow,
  dueWith,
  type LevelPayRules,
  type PlanEvent,
  type PlanState,
} from "./plan.js";
import { type Posting, postAll } from "./postings.js";
import { type EventRow, insertEvents, type PlanWrite, updatePlans } from "./writes.js";

/** Plans per batch: each batch is one transaction. */
export const BATCH = 2_000;
// One run at a time: two at once would level the same bills (the unique index would fail the second).
const RUN_LOCK = sql`SELECT pg_advisory_xact_lock(7460005)`;

export interface LevelPayRunResult {
  as_of: string;
  profile: string;
  bills: number;
  /** Bills above the level amount, and what they deferred in all. */
  deferred: number;
  deferred_cents: string;
  /** Bills below it, and what the customer was asked for over them in all. */
  charged: number;
  charged_cents: string;
  reviews: number;
  level_changes: number;
  true_ups: number;
  cancelled: number;
  ended: number;
}

type PendingRow = {
  plan_id: bigint;
  account_id: bigint;
  level_cents: bigint;
  deferred_cents: bigint;
  last_review_on: string;
  true_up_on: string;
  bill_id: bigint;
  bill_date: string;
  due_date: string;
  period_from: string;
  period_to: string;
  total_cents: bigint;
  open_items: (bigint | string)[] | null;
  others_first: boolean;
};

/** The bills an enrolled plan levels: issued after enrolment, not yet leveled (the view level_pay_bill_terms agrees). */
const PENDING = sql`b.account_id = p.account_id AND b.id > p.after_bill_id AND b.bill_date >= p.enrolled_on
  AND b.status = 'issued'
  AND NOT EXISTS (SELECT 1 FROM level_pay_events AS e WHERE e.bill_id = b.id AND e.kind = 'billed')`;

const plusDays = (day: string, n: number) => Temporal.PlainDate.from(day).add({ days: n }).toString();

/** Up to BATCH plans with bills to level, locked, and those bills (oldest first within a plan). */
async function pendingBatch(tx: Ctx, asOf: string): Promise<PendingRow[]> {
  return preparedRows<PendingRow>(
    tx,
    sql`WITH batch AS (
          SELECT p.id FROM level_pay_plans AS p
          WHERE p.status = 'enrolled'
            AND EXISTS (SELECT 1 FROM bills AS b WHERE ${PENDING} AND b.bill_date <= ${asOf}::date)
          ORDER BY p.id LIMIT ${BATCH}::int4
          FOR UPDATE OF p)
        SELECT p.id AS plan_id, p.account_id, p.level_cents, p.deferred_cents, p.last_review_on::text AS last_review_on,
               p.true_up_on::text AS true_up_on, b.id AS bill_id, b.bill_date::text AS bill_date,
               b.due_date::text AS due_date, b.period_from::text AS period_from, b.period_to::text AS period_to,
               b.total_cents,
               (SELECT array_agg(i.id ORDER BY i.id) FROM receivable_items AS i
                WHERE i.entry_id = b.entry_id AND i.open_cents > 0) AS open_items,
               EXISTS (SELECT 1 FROM receivable_items AS o
                       WHERE o.account_id = p.account_id AND o.open_cents > 0 AND o.due_date <= b.due_date
                         AND NOT o.clears_last
                         AND o.entry_id IS DISTINCT FROM b.entry_id) AS others_first
        FROM batch JOIN level_pay_plans AS p ON p.id = batch.id
        JOIN bills AS b ON ${PENDING} AND b.bill_date <= ${asOf}::date
        ORDER BY p.id, b.bill_date, b.id`,
  );
}

/** The issued bills a review or true-up may average: the accounts' bills of the policy's months before `from`. */
async function windowBills(tx: Ctx, accountIds: number[], from: string, asOf: string) {
  const rows = await preparedRows<{ account_id: bigint; bill_date: string; total_cents: bigint }>(
    tx,
    sql`SELECT account_id, bill_date::text AS bill_date, total_cents FROM bills
        WHERE account_id = ANY(${sql.param(accountIds)}::int8[]) AND status = 'issued'
          AND bill_date > ${from}::date AND bill_date <= ${asOf}::date`,
  );
  const byAccount = new Map<number, { bill_date: string; total_cents: bigint }[]>();
  for (const r of rows) {
    const id = Number(r.account_id);
    byAccount.set(id, [...(byAccount.get(id) ?? []), r]);
  }
  return byAccount;
}

type Group = { plan: PendingRow; bills: PendingRow[] };

/** Levels one batch of plans; returns how many plans it took (0: nothing left). */
async function levelBatch(tx: Ctx, asOf: string, rules: LevelPayRules, counts: LevelPayRunResult) {
  const rows = await pendingBatch(tx, asOf);
  if (rows.length === 0) return 0;
  const groups = new Map<number, Group>();
  for (const r of rows) {
    const id = Number(r.plan_id);
    const g = groups.get(id) ?? { plan: r, bills: [] };
    g.bills.push(r);
    groups.set(id, g);
  }
  // Only the plans a review or true-up may fall due for need their window of bills (a review only moves dates on).
  const due = [...groups.values()].filter((g) =>
    g.bills.some((b) => dueWith(stateOf(g.plan), b.bill_date, rules) !== null),
  );
  const windows = due.length
    ? await windowBills(
        tx,
        due.map((g) => Number(g.plan.account_id)),
        addMonths(due.flatMap((g) => g.bills.map((b) => b.bill_date)).sort()[0]!, -rules.average_months),
        asOf,
      )
    : new Map<number, { bill_date: string; total_cents: bigint }[]>();

  const events: EventRow[] = [];
  const postings: { posting: Posting; event: number }[] = [];
  const plans: PlanWrite[] = [];
  let deferred = 0n;
  let charged = 0n;
  for (const [planId, g] of groups) {
    const accountId = Number(g.plan.account_id);
    const windowOf = (bill: BillIn): BillWindow => {
      const from = addMonths(bill.bill_date, -rules.average_months);
      const list = (windows.get(accountId) ?? []).filter((w) => w.bill_date > from && w.bill_date <= bill.bill_date);
      return { count: list.length, total_cents: list.reduce((s, w) => s + w.total_cents, 0n) };
    };
    let state = stateOf(g.plan);
    for (const b of g.bills) {
      const bill: BillIn = { bill_id: Number(b.bill_id), bill_date: b.bill_date, total_cents: b.total_cents };
      const step = applyBill(state, bill, rules, windowOf);
      state = step.state;
      counts.bills++;
      for (const e of step.events) {
        const at = events.push(eventRow(planId, accountId, e, tx.actor.username)) - 1;
        const posting = postingOf(e, b, g.bills.length === 1, rules);
        if (posting) postings.push({ posting, event: at });
        if (e.kind === "billed" && e.moved_cents > 0n) {
          counts.deferred++;
          deferred += e.moved_cents;
        } else if (e.kind === "billed" && e.moved_cents < 0n) {
          counts.charged++;
          charged -= e.moved_cents;
        } else if (e.kind === "reviewed") {
          counts.reviews++;
          if (e.rule_id === "level_pay.review.changed") counts.level_changes++;
        } else if (e.kind === "trued_up") counts.true_ups++;
      }
    }
    plans.push({ id: planId, ...state, status: "enrolled", ended_on: null, ended_reason: null, ended_by: null });
  }
  const entries = await postAll(
    tx,
    postings.map((p) => p.posting),
  );
  postings.forEach((p, i) => {
    events[p.event]!.entry_id = entries[i]!;
  });
  await insertEvents(tx, events);
  await updatePlans(tx, plans);
  counts.deferred_cents = (BigInt(counts.deferred_cents) + deferred).toString();
  counts.charged_cents = (BigInt(counts.charged_cents) + charged).toString();
  await audit(tx, {
    action: "levelpay.batch",
    entityType: "level_pay_run",
    entityId: asOf,
    after: {
      plans: groups.size,
      bills: rows.length,
      first_plan_id: Number(rows[0]!.plan_id),
      last_plan_id: Number(rows.at(-1)!.plan_id),
      events: events.length,
      postings: postings.length,
    },
  });
  return groups.size;
}

const stateOf = (
  r: Pick<PendingRow, "level_cents" | "deferred_cents" | "last_review_on" | "true_up_on">,
): PlanState => ({
  level_cents: r.level_cents,
  deferred_cents: r.deferred_cents,
  last_review_on: r.last_review_on,
  true_up_on: r.true_up_on,
});

const eventRow = (planId: number, accountId: number, e: PlanEvent, by: string): EventRow => ({
  plan_id: planId,
  account_id: accountId,
  on_date: e.on_date,
  kind: e.kind,
  bill_id: e.bill_id,
  actual_cents: e.actual_cents,
  level_cents: e.level_cents,
  deferred_after_cents: e.deferred_after_cents,
  settled_cents: e.settled_cents,
  entry_id: null,
  rule_id: e.rule_id,
  facts: e.facts,
  explanation: e.explanation,
  recorded_by: by,
});

/** What an event posts: the bill's difference, or the true-up's settlement, against the bill. */
function postingOf(e: PlanEvent, b: PendingRow, onlyBill: boolean, rules: LevelPayRules): Posting | null {
  const account_id = Number(b.account_id);
  const bill = Number(b.bill_id);
  const ref = `levelpay:${Number(b.plan_id)}:bill:${bill}`;
  const period = { from: b.period_from, to: b.period_to };
  if (e.kind === "billed" && e.moved_cents > 0n) {
    const items = (b.open_items ?? []).map(Number);
    return {
      side: "credit",
      account_id,
      amount_cents: e.moved_cents,
      items,
      bulk: onlyBill && !b.others_first,
      reference: ref,
      description: `Level pay: ${formatCents(e.moved_cents)} of bill ${bill} deferred`,
    };
  }
  if (e.kind === "billed" && e.moved_cents < 0n) {
    return {
      side: "charge",
      account_id,
      amount_cents: -e.moved_cents,
      due_date: b.due_date,
      service_period: period,
      reference: ref,
      description: `Level pay: the level amount over bill ${bill}`,
    };
  }
  if (e.kind === "trued_up" && e.settled_cents !== null && e.settled_cents !== 0n) {
    const reference = `levelpay:${Number(b.plan_id)}:true-up:${bill}`;
    const year = `${rules.true_up_after_months}-month true-up`;
    return e.settled_cents > 0n
      ? {
          side: "charge",
          account_id,
          amount_cents: e.settled_cents,
          due_date: b.due_date,
          service_period: period,
          reference,
          description: `Level pay ${year}: the deferred balance`,
        }
      : {
          side: "credit",
          account_id,
          amount_cents: -e.settled_cents,
          bulk: true,
          reference,
          description: `Level pay ${year}: paid over the bills`,
        };
  }
  return null;
}

/** Plans of accounts closed by the day end, their deferred balance settled. */
async function endClosed(tx: Ctx, asOf: string, counts: LevelPayRunResult) {
  const rows = await preparedRows<{
    id: bigint;
    account_id: bigint;
    level_cents: bigint;
    deferred_cents: bigint;
    last_review_on: string;
    closed_on: string;
  }>(
    tx,
    sql`SELECT p.id, p.account_id, p.level_cents, p.deferred_cents, p.last_review_on::text AS last_review_on,
               a.closed_on::text AS closed_on
        FROM level_pay_plans AS p
        JOIN accounts AS a ON a.id = p.account_id AND a.status = 'closed' AND a.closed_on <= ${asOf}::date
        WHERE p.status = 'enrolled'
        ORDER BY p.id
        FOR UPDATE OF p`,
  );
  if (rows.length === 0) return;
  const due = plusDays(asOf, await getSetting(tx.db, dueDays, asOf));
  const endings = rows.map((r) =>
    endingOf(
      {
        id: Number(r.id),
        account_id: Number(r.account_id),
        level_cents: r.level_cents,
        deferred_cents: r.deferred_cents,
        last_review_on: r.last_review_on,
      },
      asOf,
      due,
      {
        rule_id: "level_pay.ended.account_closed",
        reason: "account closed",
        words: `the account closed on ${r.closed_on}`,
      },
      tx.actor.username,
    ),
  );
  const withPosting = endings.filter((e) => e.posting !== null);
  const entries = await postAll(
    tx,
    withPosting.map((e) => e.posting!),
  );
  withPosting.forEach((e, i) => {
    e.event.entry_id = entries[i]!;
  });
  await insertEvents(
    tx,
    endings.map((e) => e.event),
  );
  await updatePlans(
    tx,
    endings.map((e) => e.write),
  );
  counts.ended += endings.length;
}

/** Runs level pay for a day (today by default; never a day to come). Safe to run again the same day. */
export async function runLevelPay(ctx: Ctx, opts: { date?: string } = {}): Promise<LevelPayRunResult> {
  const today = ctx.clock.today().toString();
  const asOf = opts.date ?? today;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || asOf > today) {
    throw badRequest("date: a date YYYY-MM-DD, not after today", [{ field: "date", message: `not after ${today}` }]);
  }
  const policy = await policyInForce(ctx, asOf);
  const rules = policy.rules.collections.level_pay;
  const counts: LevelPayRunResult = {
    as_of: asOf,
    profile: policy.profile,
    bills: 0,
    deferred: 0,
    deferred_cents: "0",
    charged: 0,
    charged_cents: "0",
    reviews: 0,
    level_changes: 0,
    true_ups: 0,
    cancelled: 0,
    ended: 0,
  };
  await inTx(ctx, async (tx) => {
    await preparedRows(tx, RUN_LOCK);
    counts.cancelled += await takeBackCancelled(tx, asOf);
  });
  for (;;) {
    const taken = await inTx(ctx, async (tx) => {
      await preparedRows(tx, RUN_LOCK);
      return levelBatch(tx, asOf, rules, counts);
    });
    if (taken === 0) break;
  }
  await inTx(ctx, async (tx) => {
    await preparedRows(tx, RUN_LOCK);
    await endClosed(tx, asOf, counts);
    await audit(tx, {
      action: "levelpay.run",
      entityType: "level_pay_run",
      entityId: asOf,
      after: counts,
    });
  });
  return counts;
}
