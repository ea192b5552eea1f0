/**
 * Payment arrangements and extensions, made by a collector or CSR within the policy's limits: the arrears (what is
 * past due and collectible today) spread over a down payment and monthly installments, or one date to pay by. The
 * arrangement covers the past-due items as they stand; payments clear them oldest first, so what has been paid on
 * it is what they no longer owe. While kept it holds collection (monitor.ts breaks it when it is not).
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { plural } from "../../core/words.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, notFound, ruleRefused } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { installmentsOf } from "../credit/index.js";
import { cancelOrders } from "../orders/index.js";
import { findAccount, policyInForce } from "../policy/index.js";

export interface ArrangementInput {
  kind: "arrangement" | "extension";
  /** Arrangement: paid today, before the installments (0: none). */
  down_payment_cents?: bigint;
  /** Arrangement: how many monthly installments after the down payment. */
  installments?: number;
  /** Arrangement: the first installment's due date (a month from today by default). */
  first_due?: string;
  /** Extension: the day the arrears must be paid by. */
  pay_by?: string;
}

export interface InstallmentView {
  seq: number;
  due_on: string;
  amount_cents: bigint;
}

export interface ArrangementView {
  id: number;
  account_id: number;
  kind: "arrangement" | "extension" | "amp";
  status: string;
  arrears_cents: bigint;
  down_payment_cents: bigint;
  paid_cents: bigint;
  opened_on: string;
  opened_by: string;
  explanation: string;
  closed_on: string | null;
  closed_reason: string | null;
  installments: InstallmentView[];
  version: number;
}

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));

type Covered = { id: bigint; covered: bigint };

/** The past-due items a new arrangement would cover: open, past due, not disputed, less any pre-petition part. */
async function pastDueItems(tx: Ctx, accountId: number, today: string): Promise<Covered[]> {
  return preparedRows<Covered>(
    tx,
    sql`SELECT i.id, (i.open_cents - least(i.open_cents, coalesce((
              SELECT sum(bi.pre_petition_cents) FROM bankruptcy_items AS bi
              JOIN bankruptcies AS b ON b.id = bi.bankruptcy_id AND b.status = 'open'
              WHERE bi.item_id = i.id), 0)))::int8 AS covered
        FROM receivable_items AS i
        WHERE i.account_id = ${accountId}::int8 AND i.open_cents > 0 AND i.due_date < ${today}::date
          AND NOT EXISTS (SELECT 1 FROM dispute_items AS di JOIN disputes AS d ON d.id = di.dispute_id
                          WHERE di.item_id = i.id AND d.status = 'open')
        ORDER BY i.due_date, i.id
        FOR UPDATE OF i`,
  );
}

/** Makes an arrangement or extension on an account, within policy; refuses with the rule named. */
export async function makeArrangement(ctx: Ctx, accountId: number, input: ArrangementInput): Promise<ArrangementView> {
  return inTx(ctx, async (tx) => {
    const account = await findAccount(tx, { id: accountId });
    const today = tx.clock.today();
    const day = today.toString();
    const rules = (await policyInForce(tx, day)).rules.collections;
    await preparedRows(tx, sql`SELECT id FROM accounts WHERE id = ${accountId}::int8 FOR UPDATE`);
    const [active] = await preparedRows<{ id: bigint; kind: string }>(
      tx,
      sql`SELECT id, kind FROM arrangements WHERE account_id = ${accountId}::int8 AND status = 'active' LIMIT 1`,
    );
    if (active) {
      throw ruleRefused(
        "collections.arrangement.one_at_a_time",
        `${active.kind === "extension" ? "extension" : "arrangement"} ${active.id} is already active on the account`,
        { errors: [{ field: "kind", message: `arrangement ${active.id} is active` }] },
      );
    }
    const items = (await pastDueItems(tx, accountId, day)).filter((i) => i.covered > 0n);
    const arrears = items.reduce((sum, i) => sum + i.covered, 0n);
    if (arrears === 0n) {
      throw ruleRefused("collections.arrangement.nothing_past_due", "nothing is past due on the account", {
        errors: [{ field: "kind", message: "nothing is past due to arrange" }],
      });
    }
    let schedule: InstallmentView[];
    let down = 0n;
    let explanation: string;
    if (input.kind === "extension") {
      const payBy = input.pay_by ?? "";
      if (!isDate(payBy) || payBy <= day) {
        throw badRequest("pay_by: a date after today", [{ field: "pay_by", message: `a date after ${day}` }]);
      }
      const latest = today.add({ days: rules.extension_max_days }).toString();
      if (payBy > latest) {
        throw ruleRefused(
          "collections.extension.max_days",
          `an extension gives at most ${rules.extension_max_days} days (policy): pay by ${latest} at the latest`,
          { errors: [{ field: "pay_by", message: `at most ${rules.extension_max_days} days: by ${latest}` }] },
        );
      }
      schedule = [{ seq: 1, due_on: payBy, amount_cents: arrears }];
      explanation = `Extension: ${formatCents(arrears)} past due to be paid by ${payBy} (policy allows up to ${rules.extension_max_days} days).`;
    } else {
      const n = input.installments ?? 0;
      if (!Number.isInteger(n) || n < 1) {
        throw badRequest("installments: a whole number of months, 1 or more", [
          { field: "installments", message: "1 or more" },
        ]);
      }
      if (n > rules.arrangement_max_months) {
        throw ruleRefused(
          "collections.arrangement.max_months",
          `a payment arrangement spreads arrears over at most ${rules.arrangement_max_months} months (policy, D.20-06-003)`,
          { errors: [{ field: "installments", message: `at most ${rules.arrangement_max_months} months` }] },
        );
      }
      down = input.down_payment_cents ?? 0n;
      if (down < 0n || down >= arrears) {
        throw badRequest("down_payment_cents: from 0 to less than the arrears", [
          { field: "down_payment_cents", message: `0 to less than ${formatCents(arrears)}` },
        ]);
      }
      const first = input.first_due ?? today.add({ months: 1 }).toString();
      const latestFirst = today.add({ months: 1, days: 15 }).toString();
      if (!isDate(first) || first <= day || first > latestFirst) {
        throw badRequest("first_due: a date after today, within about a month", [
          { field: "first_due", message: `after ${day}, by ${latestFirst}` },
        ]);
      }
      const start = Temporal.PlainDate.from(first);
      schedule = installmentsOf(arrears - down, n).map((amount_cents, i) => ({
        seq: i + 1,
        due_on: start.add({ months: i }).toString(),
        amount_cents,
      }));
      if (down > 0n) schedule.unshift({ seq: 0, due_on: day, amount_cents: down });
      explanation =
        `Payment arrangement: ${formatCents(arrears)} past due` +
        (down > 0n ? `, ${formatCents(down)} down today` : "") +
        `, then ${plural(n, "monthly installment")} of ${formatCents(schedule.at(-1)!.amount_cents)} from ${first}` +
        ` (policy allows up to ${rules.arrangement_max_months} months); current bills must be paid on time.`;
    }
    const [made] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO arrangements (account_id, kind, arrears_cents, down_payment_cents, opened_on, opened_by, explanation)
          VALUES (${accountId}::int8, ${input.kind}, ${arrears.toString()}::int8, ${down.toString()}::int8, ${day}::date,
                  ${tx.actor.username}, ${explanation})
          RETURNING id`,
    );
    const id = Number(made!.id);
    await preparedRows(
      tx,
      sql`INSERT INTO arrangement_installments (arrangement_id, account_id, seq, due_on, amount_cents)
          SELECT ${id}::int8, ${accountId}::int8, s.seq, s.due_on, s.amount
          FROM unnest(${sql.param(schedule.map((s) => s.seq))}::int4[], ${sql.param(schedule.map((s) => s.due_on))}::date[],
                      ${sql.param(schedule.map((s) => s.amount_cents.toString()))}::int8[]) AS s(seq, due_on, amount)`,
    );
    await preparedRows(
      tx,
      sql`INSERT INTO arrangement_items (arrangement_id, account_id, item_id, covered_cents)
          SELECT ${id}::int8, ${accountId}::int8, c.item, c.covered
          FROM unnest(${sql.param(items.map((i) => i.id.toString()))}::int8[],
                      ${sql.param(items.map((i) => i.covered.toString()))}::int8[]) AS c(item, covered)`,
    );
    // A disconnect order not yet worked is cancelled: the account goes back to its final notice, where collection
    // resumes if the arrangement is broken.
    const [state] = await preparedRows<{ order_id: bigint | null; step: string }>(
      tx,
      sql`SELECT order_id, step FROM collection_states WHERE account_id = ${accountId}::int8 FOR UPDATE`,
    );
    if (state?.step === "disconnect_ordered" && state.order_id !== null) {
      const n = await cancelOrders(tx, [Number(state.order_id)], `arrangement ${id} made`, tx.actor.username);
      if (n > 0) {
        await preparedRows(
          tx,
          sql`UPDATE collection_states SET step = 'final_notice', order_id = NULL, version = version + 1
              WHERE account_id = ${accountId}::int8`,
        );
      }
    }
    await preparedRows(
      tx,
      sql`INSERT INTO collection_events (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents)
          VALUES (${accountId}::int8, ${day}::date, ${`${input.kind}_made`}, ${`collections.${input.kind}.allowed`},
                  ${explanation}, ${JSON.stringify({ arrangement_id: id, items: items.length })}::jsonb,
                  ${arrears.toString()}::int8)
          ON CONFLICT (account_id, kind, on_date) DO NOTHING`,
    );
    const after = await getArrangement(tx, id);
    await audit(tx, { entityType: "arrangement", entityId: id, accountId: account.id, action: "create", after });
    return after;
  });
}

type ArrangementRow = {
  id: bigint;
  account_id: bigint;
  kind: ArrangementView["kind"];
  status: string;
  arrears_cents: bigint;
  down_payment_cents: bigint;
  paid_cents: bigint;
  opened_on: string;
  opened_by: string;
  explanation: string;
  closed_on: string | null;
  closed_reason: string | null;
  version: number;
  installments: { seq: number; due_on: string; amount_cents: string }[];
};

const SELECT_ARRANGEMENTS = sql`SELECT x.id, x.account_id, x.kind, x.status, x.arrears_cents, x.down_payment_cents,
    (SELECT coalesce(sum(ai.covered_cents - least(ri.open_cents, ai.covered_cents)), 0)
     FROM arrangement_items AS ai JOIN receivable_items AS ri ON ri.id = ai.item_id
     WHERE ai.arrangement_id = x.id)::int8 AS paid_cents,
    x.opened_on::text AS opened_on, x.opened_by, x.explanation, x.closed_on::text AS closed_on, x.closed_reason,
    x.version,
    (SELECT json_agg(json_build_object('seq', i.seq, 'due_on', i.due_on::text, 'amount_cents', i.amount_cents::text)
                     ORDER BY i.seq)
     FROM arrangement_installments AS i WHERE i.arrangement_id = x.id) AS installments
  FROM arrangements AS x`;

const arrangementView = (r: ArrangementRow): ArrangementView => ({
  ...r,
  id: Number(r.id),
  account_id: Number(r.account_id),
  arrears_cents: BigInt(r.arrears_cents),
  down_payment_cents: BigInt(r.down_payment_cents),
  paid_cents: BigInt(r.paid_cents),
  installments: (r.installments ?? []).map((i) => ({ ...i, amount_cents: BigInt(i.amount_cents) })),
});

export async function getArrangement(ctx: Ctx, id: number): Promise<ArrangementView> {
  const [row] = await preparedRows<ArrangementRow>(ctx, sql`${SELECT_ARRANGEMENTS} WHERE x.id = ${id}::int8`);
  if (!row) throw notFound(`arrangement ${id}`, "arrangement_id");
  return arrangementView(row);
}

/** An account's arrangements and extensions, newest first. */
export async function arrangementsOf(ctx: Ctx, accountId: number): Promise<ArrangementView[]> {
  const rows = await preparedRows<ArrangementRow>(
    ctx,
    sql`${SELECT_ARRANGEMENTS} WHERE x.account_id = ${accountId}::int8 ORDER BY x.id DESC`,
  );
  return rows.map(arrangementView);
}
