/**
 * Arrearage management (AMP; CPUC D.20-06-003, Res. E-5114; the IOU profile): a CARE or FERA customer with old
 * arrears enrols them; they are held from collection and a twelfth is forgiven for each bill paid on time, up to the
 * cap; after the policy's missed payments in a row the plan ends and what is left returns to collection. The
 * municipal profile does not offer it. Eligibility is a policy decision with its facts and sentence.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { conflict, notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { billsByDueDate } from "../credit/index.js";
import { postCredit } from "../ledger/index.js";
import { findAccount, type PolicyDecision, policyInForce } from "../policy/index.js";
import { holdItems, releaseItems } from "./held.js";
import type { CollectionRules } from "./steps.js";

type AmpRules = CollectionRules["amp"];

export interface AmpFacts {
  account_id: number;
  customer_class: string;
  opened_on: string;
  /** The discount programme in force (care or fera), if any. */
  program: string | null;
  /** Open, collectible arrears at least the policy's days past due. */
  old_arrears_cents: bigint;
  /** All open, collectible past-due arrears (what enrolment takes, up to the cap). */
  arrears_cents: bigint;
  active_plan_id: number | null;
  arrangement_id: number | null;
}

export interface AmpDecision extends PolicyDecision {
  eligible: boolean;
  /** What enrolment would take: the arrears, up to the cap. */
  enrol_cents: bigint;
}

/** Whether the account may enrol in AMP today, and why (pure). */
export function ampDecision(f: AmpFacts, rules: CollectionRules, today: string): AmpDecision {
  const r: AmpRules = rules.amp;
  const since = Temporal.PlainDate.from(today).subtract({ months: r.min_customer_months }).toString();
  const cap = BigInt(r.cap_cents);
  const enrol = f.arrears_cents < cap ? f.arrears_cents : cap;
  const facts = {
    program: f.program,
    customer_class: f.customer_class,
    opened_on: f.opened_on,
    arrears_cents: f.arrears_cents.toString(),
    old_arrears_cents: f.old_arrears_cents.toString(),
    min_arrears_cents: r.min_arrears_cents,
    min_arrears_days: r.min_arrears_days,
    cap_cents: r.cap_cents,
  };
  const no = (rule_id: string, explanation: string): AmpDecision => ({
    rule_id,
    decision: "amp_not_eligible",
    facts,
    explanation,
    eligible: false,
    enrol_cents: 0n,
  });
  if (!r.enabled)
    return no("collections.amp.off", "The arrearage management plan (AMP) is not offered under this policy.");
  if (f.active_plan_id !== null) {
    return no("collections.amp.enrolled", `The account is already in an AMP plan (plan ${f.active_plan_id}).`);
  }
  if (f.customer_class !== "residential") return no("collections.amp.residential", "AMP is for residential customers.");
  if (f.program === null) return no("collections.amp.program", "AMP is for customers enrolled in CARE or FERA.");
  if (f.opened_on > since) {
    return no(
      "collections.amp.tenure",
      `AMP needs a customer of at least ${r.min_customer_months} months; the account opened ${f.opened_on}.`,
    );
  }
  if (f.old_arrears_cents < BigInt(r.min_arrears_cents)) {
    return no(
      "collections.amp.arrears",
      `AMP needs at least ${formatCents(BigInt(r.min_arrears_cents))} of arrears ${r.min_arrears_days} days past due; ` +
        `the account has ${formatCents(f.old_arrears_cents)}.`,
    );
  }
  if (f.arrangement_id !== null) {
    return no(
      "collections.amp.arrangement",
      `The account has a payment arrangement (${f.arrangement_id}); end it before enrolling in AMP.`,
    );
  }
  return {
    rule_id: "collections.amp.eligible",
    decision: "amp_eligible",
    facts,
    explanation:
      `Eligible for AMP (${f.program.toUpperCase()}, ${formatCents(f.old_arrears_cents)} of arrears ` +
      `${r.min_arrears_days}+ days old): ${formatCents(enrol)} would be held from collection and a twelfth ` +
      `(${formatCents(enrol / 12n)}) forgiven for each bill paid on time.`,
    eligible: true,
    enrol_cents: enrol,
  };
}

/** The account's AMP facts today (one statement). */
export async function ampFacts(ctx: Ctx, accountId: number, today: string, rules: CollectionRules): Promise<AmpFacts> {
  const old = Temporal.PlainDate.from(today).subtract({ days: rules.amp.min_arrears_days }).toString();
  const [r] = await preparedRows<{
    customer_class: string;
    opened_on: string;
    program: string | null;
    old: bigint;
    arrears: bigint;
    plan: bigint | null;
    arrangement: bigint | null;
  }>(
    ctx,
    sql`SELECT a.customer_class, a.opened_on::text AS opened_on,
          (SELECT e.program FROM enrolments AS e WHERE e.account_id = a.id AND e.program IN ('care', 'fera')
             AND e.effective_from <= ${today}::date AND (e.effective_to IS NULL OR e.effective_to >= ${today}::date)
           ORDER BY e.id LIMIT 1) AS program,
          coalesce(sum(i.open_cents) FILTER (WHERE i.due_date <= ${old}::date), 0)::int8 AS old,
          coalesce(sum(i.open_cents), 0)::int8 AS arrears,
          (SELECT p.id FROM amp_plans AS p WHERE p.account_id = a.id AND p.status = 'active') AS plan,
          (SELECT x.id FROM arrangements AS x WHERE x.account_id = a.id AND x.status = 'active' LIMIT 1) AS arrangement
        FROM accounts AS a
        LEFT JOIN receivable_items AS i ON i.account_id = a.id AND i.open_cents > 0 AND i.due_date < ${today}::date
          AND NOT i.clears_last
          AND NOT EXISTS (SELECT 1 FROM dispute_items AS di JOIN disputes AS d ON d.id = di.dispute_id
                          WHERE di.item_id = i.id AND d.status = 'open')
        WHERE a.id = ${accountId}::int8
        GROUP BY a.id`,
  );
  if (!r) throw notFound(`account ${accountId}`, "account_id");
  return {
    account_id: accountId,
    customer_class: r.customer_class,
    opened_on: r.opened_on,
    program: r.program,
    old_arrears_cents: BigInt(r.old),
    arrears_cents: BigInt(r.arrears),
    active_plan_id: r.plan === null ? null : Number(r.plan),
    arrangement_id: r.arrangement === null ? null : Number(r.arrangement),
  };
}

export interface AmpPlanView {
  id: number;
  account_id: number;
  status: string;
  enrolled_on: string;
  enrolled_by: string;
  enrolled_cents: bigint;
  forgiven_cents: bigint;
  /** A twelfth of what was enrolled: forgiven per bill paid on time. */
  installment_cents: bigint;
  on_time: number;
  misses: number;
  checked_through: string | null;
  closed_on: string | null;
  closed_reason: string | null;
  version: number;
}

type PlanRow = Omit<AmpPlanView, "id" | "account_id" | "installment_cents"> & { id: bigint; account_id: bigint };

const SELECT_PLANS = sql`SELECT id, account_id, status, enrolled_on::text AS enrolled_on, enrolled_by, enrolled_cents,
    forgiven_cents, on_time, misses, checked_through::text AS checked_through, closed_on::text AS closed_on,
    closed_reason, version FROM amp_plans`;

const planView = (r: PlanRow): AmpPlanView => ({
  ...r,
  id: Number(r.id),
  account_id: Number(r.account_id),
  enrolled_cents: BigInt(r.enrolled_cents),
  forgiven_cents: BigInt(r.forgiven_cents),
  installment_cents: BigInt(r.enrolled_cents) / 12n,
});

export async function ampPlansOf(ctx: Ctx, accountId: number): Promise<AmpPlanView[]> {
  const rows = await preparedRows<PlanRow>(
    ctx,
    sql`${SELECT_PLANS} WHERE account_id = ${accountId}::int8 ORDER BY id DESC`,
  );
  return rows.map(planView);
}

async function getPlan(ctx: Ctx, id: number): Promise<AmpPlanView> {
  const [row] = await preparedRows<PlanRow>(ctx, sql`${SELECT_PLANS} WHERE id = ${id}::int8`);
  if (!row) throw notFound(`AMP plan ${id}`, "plan_id");
  return planView(row);
}

/** The account's AMP standing: the decision today and its plans. */
export async function ampOf(ctx: Ctx, accountId: number) {
  await findAccount(ctx, { id: accountId });
  const today = ctx.clock.today().toString();
  const policy = await policyInForce(ctx, today);
  const decision = ampDecision(
    await ampFacts(ctx, accountId, today, policy.rules.collections),
    policy.rules.collections,
    today,
  );
  return { profile: policy.profile, decision, plans: await ampPlansOf(ctx, accountId) };
}

/**
 * Enrols the account's past-due arrears (oldest first, up to the cap) in AMP: held from collection and paid last.
 * Refused with the rule that decides when the account is not eligible.
 */
export async function enrolAmp(ctx: Ctx, accountId: number): Promise<AmpPlanView> {
  return inTx(ctx, async (tx) => {
    await findAccount(tx, { id: accountId });
    const today = tx.clock.today().toString();
    const policy = await policyInForce(tx, today);
    const rules = policy.rules.collections;
    const d = ampDecision(await ampFacts(tx, accountId, today, rules), rules, today);
    if (!d.eligible) {
      throw ruleRefused(d.rule_id, d.explanation, { errors: [{ field: "account_id", message: d.explanation }] });
    }
    const items = await preparedRows<{ id: bigint; open_cents: bigint }>(
      tx,
      sql`SELECT i.id, i.open_cents FROM receivable_items AS i
          WHERE i.account_id = ${accountId}::int8 AND i.open_cents > 0 AND i.due_date < ${today}::date
            AND NOT i.clears_last
            AND NOT EXISTS (SELECT 1 FROM dispute_items AS di JOIN disputes AS x ON x.id = di.dispute_id
                            WHERE di.item_id = i.id AND x.status = 'open')
          ORDER BY i.due_date, i.accounting_date, i.id`,
    );
    let left = d.enrol_cents;
    const taken: { id: number; cents: bigint }[] = [];
    for (const i of items) {
      if (left <= 0n) break;
      const open = BigInt(i.open_cents);
      const cents = open < left ? open : left;
      taken.push({ id: Number(i.id), cents });
      left -= cents;
    }
    const [plan] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO amp_plans (account_id, enrolled_on, enrolled_by, enrolled_cents, checked_through)
          VALUES (${accountId}::int8, ${today}::date, ${tx.actor.username}, ${d.enrol_cents.toString()}::int8,
                  ${today}::date)
          RETURNING id`,
    );
    const id = Number(plan!.id);
    await preparedRows(
      tx,
      sql`INSERT INTO amp_items (plan_id, account_id, item_id, enrolled_cents)
          SELECT ${id}::int8, ${accountId}::int8, t.item, t.cents
          FROM unnest(${sql.param(taken.map((t) => t.id))}::int8[],
                      ${sql.param(taken.map((t) => t.cents.toString()))}::int8[]) AS t(item, cents)`,
    );
    await holdItems(
      tx,
      taken.map((t) => t.id),
    );
    const says =
      `Enrolled in AMP: ${formatCents(d.enrol_cents)} of arrears held from collection; ` +
      `${formatCents(d.enrol_cents / 12n)} forgiven for each bill paid on time.`;
    await preparedRows(
      tx,
      sql`INSERT INTO collection_events (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents)
          VALUES (${accountId}::int8, ${today}::date, 'amp_enrolled', 'collections.amp.eligible', ${says},
                  ${JSON.stringify(d.facts)}::jsonb, ${d.enrol_cents.toString()}::int8)
          ON CONFLICT (account_id, kind, on_date) DO NOTHING`,
    );
    const after = await getPlan(tx, id);
    await audit(tx, { entityType: "amp_plan", entityId: id, accountId, action: "create", after });
    return after;
  });
}

/** Ends a plan at the customer's request: what is still enrolled returns to collection. */
export async function leaveAmp(ctx: Ctx, id: number, input: { version: number }): Promise<AmpPlanView> {
  return inTx(ctx, async (tx) => {
    const before = await getPlan(tx, id);
    if (before.version !== input.version) throw staleVersion(`AMP plan ${id}`, before.version);
    if (before.status !== "active") throw conflict(`AMP plan ${id} is already ${before.status}`);
    await closePlans(tx, [id], "removed", "left at the customer's request", tx.clock.today().toString());
    const after = await getPlan(tx, id);
    await audit(tx, {
      entityType: "amp_plan",
      entityId: id,
      accountId: before.account_id,
      action: "end",
      before,
      after,
    });
    return after;
  });
}

async function closePlans(tx: Ctx, ids: number[], status: "completed" | "removed", reason: string, today: string) {
  if (ids.length === 0) return;
  const items = await preparedRows<{ item_id: bigint }>(
    tx,
    sql`WITH closed AS (
          UPDATE amp_plans SET status = ${status}, closed_on = ${today}::date, closed_reason = ${reason},
            version = version + 1
          WHERE id = ANY (${sql.param(ids)}::int8[]) AND status = 'active' RETURNING id)
        SELECT ai.item_id FROM amp_items AS ai JOIN closed AS c ON c.id = ai.plan_id`,
  );
  await releaseItems(
    tx,
    items.map((i) => Number(i.item_id)),
  );
}

/** The k-th forgiveness of twelve: exact twelfths, the remainder spread so the twelve add up to the whole. */
export const twelfth = (enrolled: bigint, k: number) => (enrolled * BigInt(k)) / 12n - (enrolled * BigInt(k - 1)) / 12n;

/**
 * The daily AMP pass: each active plan's bills that fell due since it was last checked are judged, in due order:
 * paid in full by the due date forgives the next twelfth (a credit directed to the enrolled items); unpaid counts a
 * miss, and the policy's misses in a row remove the plan. Twelve on-time payments complete it.
 */
export async function monitorAmp(tx: Ctx, today: string, rules: CollectionRules) {
  const out = { forgiven: 0, completed: 0, removed: 0 };
  const rows = await preparedRows<{
    plan_id: bigint;
    account_id: bigint;
    enrolled: bigint;
    forgiven: bigint;
    on_time: number;
    misses: number;
    due_date: string | null;
    charged: bigint | null;
    paid: bigint | null;
    item_ids: bigint[] | null;
  }>(
    tx,
    sql`WITH plans AS (SELECT * FROM amp_plans WHERE status = 'active'),
        accts AS (SELECT DISTINCT account_id AS id FROM plans),
        bills AS (${billsByDueDate(sql`accts`, null, today)})
        SELECT p.id AS plan_id, p.account_id, p.enrolled_cents AS enrolled, p.forgiven_cents AS forgiven, p.on_time,
          p.misses, b.due_date::text AS due_date, b.charged, b.paid,
          (SELECT array_agg(ai.item_id ORDER BY ai.item_id) FROM amp_items AS ai WHERE ai.plan_id = p.id) AS item_ids
        FROM plans AS p
        LEFT JOIN bills AS b ON b.account_id = p.account_id AND b.due_date > p.checked_through
        ORDER BY p.id, b.due_date`,
  );
  type Plan = {
    id: number;
    account: number;
    enrolled: bigint;
    forgiven: bigint;
    onTime: number;
    misses: number;
    through: string | null;
    items: number[];
    events: { kind: string; says: string; cents: bigint }[];
    end: "completed" | "removed" | null;
  };
  const plans = new Map<number, Plan>();
  for (const r of rows) {
    const id = Number(r.plan_id);
    let p = plans.get(id);
    if (!p) {
      p = {
        id,
        account: Number(r.account_id),
        enrolled: BigInt(r.enrolled),
        forgiven: BigInt(r.forgiven),
        onTime: r.on_time,
        misses: r.misses,
        through: null,
        items: (r.item_ids ?? []).map(Number),
        events: [],
        end: null,
      };
      plans.set(id, p);
    }
    if (r.due_date === null || p.end) continue;
    p.through = r.due_date;
    if (BigInt(r.paid ?? 0) >= BigInt(r.charged ?? 0)) {
      p.onTime++;
      p.misses = 0;
      const cents = twelfth(p.enrolled, p.onTime);
      p.forgiven += cents;
      p.events.push({
        kind: "amp_forgiven",
        says: `The bill due ${r.due_date} was paid on time: ${formatCents(cents)} of AMP arrears forgiven (${p.onTime} of 12).`,
        cents,
      });
      if (p.onTime >= 12) p.end = "completed";
    } else {
      p.misses++;
      if (p.misses >= rules.amp.out_after_misses) {
        p.end = "removed";
        p.events.push({
          kind: "amp_removed",
          says: `The bill due ${r.due_date} was not paid on time, the ${p.misses}th missed in a row: the AMP plan ends and the ${formatCents(p.enrolled - p.forgiven)} not forgiven returns to collection.`,
          cents: p.enrolled - p.forgiven,
        });
      }
    }
  }
  const judged = [...plans.values()].filter((p) => p.through !== null);
  for (const p of judged) {
    const forgive = p.events.filter((e) => e.kind === "amp_forgiven").reduce((s, e) => s + e.cents, 0n);
    if (forgive > 0n) {
      out.forgiven++;
      // Directed to the enrolled items; never more than is still open on them.
      const [open] = await preparedRows<{ open: bigint }>(
        tx,
        sql`SELECT coalesce(sum(open_cents), 0)::int8 AS open FROM receivable_items
            WHERE id = ANY (${sql.param(p.items)}::int8[])`,
      );
      const cents = forgive < BigInt(open!.open) ? forgive : BigInt(open!.open);
      if (cents > 0n) {
        await postCredit(tx, {
          account_id: p.account,
          kind: "forgiveness",
          amount_cents: cents,
          gl_debit_account: "6150",
          directed_item_ids: p.items,
          reference: `amp:${p.id}:${p.through}`,
          description: "Arrearage forgiven (AMP)",
        });
      }
    }
    await preparedRows(
      tx,
      sql`UPDATE amp_plans SET forgiven_cents = ${p.forgiven.toString()}::int8, on_time = ${p.onTime}::int4,
            misses = ${p.misses}::int4, checked_through = ${p.through}::date, version = version + 1
          WHERE id = ${p.id}::int8`,
    );
    const byKind = new Map<string, { kind: string; says: string; cents: bigint }>();
    for (const e of p.events) {
      const seen = byKind.get(e.kind);
      byKind.set(e.kind, seen ? { kind: e.kind, says: `${seen.says} ${e.says}`, cents: seen.cents + e.cents } : e);
    }
    for (const e of byKind.values()) {
      await preparedRows(
        tx,
        sql`INSERT INTO collection_events (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents)
            VALUES (${p.account}::int8, ${today}::date, ${e.kind},
                    ${e.kind === "amp_removed" ? "collections.amp.out_after_misses" : "collections.amp.forgiveness"},
                    ${e.says}, ${JSON.stringify({ plan_id: p.id, on_time: p.onTime, misses: p.misses })}::jsonb,
                    ${e.cents.toString()}::int8)
            ON CONFLICT (account_id, kind, on_date) DO NOTHING`,
      );
    }
    if (p.end) {
      if (p.end === "completed") out.completed++;
      else out.removed++;
      await closePlans(
        tx,
        [p.id],
        p.end,
        p.end === "completed" ? "twelve payments on time" : `${p.misses} payments missed in a row`,
        today,
      );
    }
  }
  return out;
}
