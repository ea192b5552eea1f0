/**
 * A customer's bankruptcy on an account: the case (chapter, court, case number, petition date) splits what is open
 * at the petition date into pre-petition debt (stayed: never dunned, claimed in the proof of claim, written off on
 * discharge) and post-petition debt (collected as usual); a bill whose service period spans the petition date is
 * split by days. Adequate assurance (a deposit due in 20 days, 30 under Chapter 11: 11 U.S.C. 366) is requested at
 * once. Dismissal lifts the stay: collection resumes on everything.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { conflict, notFound, Problem, ruleRefused, staleVersion } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { requireDeposit } from "../credit/index.js";
import { postCredit } from "../ledger/index.js";
import { cancelOrders } from "../orders/index.js";
import { findAccount } from "../policy/index.js";
import { holdItems, releaseItems } from "./held.js";

export const CHAPTERS = [7, 11, 13] as const;

export interface BankruptcyInput {
  chapter: (typeof CHAPTERS)[number];
  court: string;
  case_number: string;
  petition_date: string;
}

export interface BankruptcyItemView {
  item_id: number;
  category: string;
  description: string;
  accounting_date: string;
  service_from: string | null;
  service_to: string | null;
  due_date: string | null;
  original_cents: bigint;
  pre_petition_cents: bigint;
}

export interface BankruptcyView {
  id: number;
  account_id: number;
  chapter: number;
  court: string;
  case_number: string;
  petition_date: string;
  status: "open" | "discharged" | "dismissed";
  pre_petition_cents: bigint;
  /** What of the pre-petition debt is still open (payments through the plan reduce it). */
  pre_petition_open_cents: bigint;
  recorded_on: string;
  recorded_by: string;
  closed_on: string | null;
  items: BankruptcyItemView[];
  version: number;
}

type Open = {
  id: bigint;
  open_cents: bigint;
  accounting_date: string;
  service_from: string | null;
  service_to: string | null;
};

/** The part of an item that is for service before the petition date: all, none, or by days for one spanning it. */
export function prePetitionPart(item: Open, petition: string): bigint {
  const open = BigInt(item.open_cents);
  if (item.service_from === null || item.service_to === null) return item.accounting_date < petition ? open : 0n;
  if (item.service_to < petition) return open;
  if (item.service_from >= petition) return 0n;
  const from = Temporal.PlainDate.from(item.service_from);
  const days = BigInt(from.until(Temporal.PlainDate.from(item.service_to)).days + 1);
  const before = BigInt(from.until(Temporal.PlainDate.from(petition)).days);
  // Half up, in cents.
  return (open * before * 2n + days) / (2n * days);
}

/** Records a bankruptcy case: splits the open items, asks adequate assurance, stops collection on the stayed debt. */
export async function recordBankruptcy(ctx: Ctx, accountId: number, input: BankruptcyInput): Promise<BankruptcyView> {
  return inTx(ctx, async (tx) => {
    await findAccount(tx, { id: accountId });
    const today = tx.clock.today().toString();
    if (input.petition_date > today) {
      throw ruleRefused(
        "collections.bankruptcy.petition_in_future",
        `the petition date ${input.petition_date} is after today (${today}): a case is recorded once filed`,
        { errors: [{ field: "petition_date", message: `not after ${today}` }] },
      );
    }
    await preparedRows(tx, sql`SELECT id FROM accounts WHERE id = ${accountId}::int8 FOR UPDATE`);
    const [open] = await preparedRows<{ id: bigint }>(
      tx,
      sql`SELECT id FROM bankruptcies WHERE account_id = ${accountId}::int8 AND status = 'open' LIMIT 1`,
    );
    if (open) {
      throw ruleRefused("collections.bankruptcy.one_open", `bankruptcy ${open.id} is already open on the account`, {
        errors: [{ field: "case_number", message: `case ${open.id} is open` }],
      });
    }
    const items = await preparedRows<Open>(
      tx,
      sql`SELECT id, open_cents, accounting_date::text AS accounting_date, service_from::text AS service_from,
            service_to::text AS service_to
          FROM receivable_items WHERE account_id = ${accountId}::int8 AND open_cents > 0 AND category <> 'deposit'
          ORDER BY id FOR UPDATE`,
    );
    const split = items
      .map((i) => ({ id: i.id, pre: prePetitionPart(i, input.petition_date) }))
      .filter((s) => s.pre > 0n);
    const pre = split.reduce((sum, s) => sum + s.pre, 0n);
    const [row] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO bankruptcies (account_id, chapter, court, case_number, petition_date, pre_petition_cents,
                                    recorded_on, recorded_by)
          VALUES (${accountId}::int8, ${input.chapter}::int4, ${input.court}, ${input.case_number},
                  ${input.petition_date}::date, ${pre.toString()}::int8, ${today}::date, ${tx.actor.username})
          RETURNING id`,
    );
    const id = Number(row!.id);
    if (split.length > 0) {
      await preparedRows(
        tx,
        sql`INSERT INTO bankruptcy_items (bankruptcy_id, account_id, item_id, pre_petition_cents)
            SELECT ${id}::int8, ${accountId}::int8, s.item, s.pre
            FROM unnest(${sql.param(split.map((s) => s.id.toString()))}::int8[],
                        ${sql.param(split.map((s) => s.pre.toString()))}::int8[]) AS s(item, pre)`,
      );
      // Payments go to what is collectible (post-petition) first; the stayed debt is paid last.
      await holdItems(
        tx,
        split.map((s) => Number(s.id)),
      );
    }
    // The stay: a disconnect order not yet worked is cancelled; the run decides again on what is collectible.
    const [state] = await preparedRows<{ order_id: bigint | null }>(
      tx,
      sql`SELECT order_id FROM collection_states WHERE account_id = ${accountId}::int8 AND step = 'disconnect_ordered'`,
    );
    if (state?.order_id != null) {
      const n = await cancelOrders(
        tx,
        [Number(state.order_id)],
        `bankruptcy ${id}: the automatic stay`,
        tx.actor.username,
      );
      if (n > 0) {
        await preparedRows(
          tx,
          sql`UPDATE collection_states SET step = 'final_notice', order_id = NULL, version = version + 1
              WHERE account_id = ${accountId}::int8`,
        );
      }
    }
    let assurance = "";
    try {
      const d = await requireDeposit(tx, accountId, { reason: "bankruptcy_assurance", chapter: input.chapter });
      assurance = ` Adequate assurance of ${formatCents(BigInt(d.amount_cents))} requested (deposit ${d.id}).`;
    } catch (err) {
      if (!(err instanceof Problem) || err.status !== 422) throw err;
      assurance = ` No adequate assurance requested: ${err.message}.`;
    }
    const explanation =
      `Chapter ${input.chapter} petition filed ${input.petition_date} (${input.court}, case ${input.case_number}): ` +
      `${formatCents(pre)} of debt before the petition is stayed and not collected.${assurance}`;
    await preparedRows(
      tx,
      sql`INSERT INTO collection_events (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents)
          VALUES (${accountId}::int8, ${today}::date, 'bankruptcy_filed', 'collections.bankruptcy.stay', ${explanation},
                  ${JSON.stringify({ bankruptcy_id: id, pre_petition_cents: pre.toString() })}::jsonb, 0)
          ON CONFLICT (account_id, kind, on_date) DO NOTHING`,
    );
    const after = await getBankruptcy(tx, id);
    await audit(tx, { entityType: "bankruptcy", entityId: id, accountId, action: "create", after });
    return after;
  });
}

/**
 * Closes a case: on discharge the pre-petition debt still open is written off to bad debt (one write-off credit per
 * item, directed to it); on dismissal the stay ends and collection resumes on everything.
 */
export async function closeBankruptcy(
  ctx: Ctx,
  id: number,
  input: { version: number; outcome: "discharged" | "dismissed" },
): Promise<BankruptcyView> {
  return inTx(ctx, async (tx) => {
    const before = await getBankruptcy(tx, id);
    if (before.version !== input.version) throw staleVersion(`bankruptcy ${id}`, before.version);
    if (before.status !== "open") throw conflict(`bankruptcy ${id} is already ${before.status}`);
    const today = tx.clock.today().toString();
    if (input.outcome === "discharged") {
      const open = await preparedRows<{ item_id: bigint; part: bigint }>(
        tx,
        sql`SELECT bi.item_id, least(bi.pre_petition_cents, ri.open_cents) AS part
            FROM bankruptcy_items AS bi JOIN receivable_items AS ri ON ri.id = bi.item_id
            WHERE bi.bankruptcy_id = ${id}::int8 AND ri.open_cents > 0 ORDER BY bi.item_id`,
      );
      for (const o of open) {
        if (BigInt(o.part) <= 0n) continue;
        await postCredit(tx, {
          account_id: before.account_id,
          kind: "write_off",
          amount_cents: BigInt(o.part),
          directed_item_ids: [Number(o.item_id)],
          reference: `bankruptcy:${id}:discharge:${o.item_id}`,
          description: `Discharged in bankruptcy (case ${before.case_number})`,
        });
      }
    }
    await preparedRows(
      tx,
      sql`UPDATE bankruptcies SET status = ${input.outcome}, closed_on = ${today}::date, version = version + 1
          WHERE id = ${id}::int8`,
    );
    await releaseItems(
      tx,
      before.items.map((i) => i.item_id),
    );
    const after = await getBankruptcy(tx, id);
    await audit(tx, {
      entityType: "bankruptcy",
      entityId: id,
      accountId: before.account_id,
      action: input.outcome === "discharged" ? "discharge" : "dismiss",
      before,
      after,
    });
    return after;
  });
}

type Row = Omit<BankruptcyView, "id" | "account_id" | "items" | "pre_petition_cents" | "pre_petition_open_cents"> & {
  id: bigint;
  account_id: bigint;
  pre_petition_cents: bigint;
  pre_open: bigint;
  items: (Omit<BankruptcyItemView, "original_cents" | "pre_petition_cents"> & {
    original_cents: string;
    pre_petition_cents: string;
  })[];
};

const SELECT_CASES = sql`SELECT b.id, b.account_id, b.chapter, b.court, b.case_number,
    b.petition_date::text AS petition_date, b.status, b.pre_petition_cents, b.recorded_on::text AS recorded_on,
    b.recorded_by, b.closed_on::text AS closed_on, b.version,
    (SELECT coalesce(sum(greatest(0, least(bi.pre_petition_cents - coalesce(w.off, 0), ri.open_cents))), 0)
     FROM bankruptcy_items AS bi JOIN receivable_items AS ri ON ri.id = bi.item_id
     LEFT JOIN LATERAL (
       SELECT sum(rm.amount_cents) AS off FROM receivable_matches AS rm
       JOIN receivable_credits AS rc ON rc.id = rm.credit_id
       WHERE rm.item_id = bi.item_id AND rm.undone_by_entry_id IS NULL AND rc.kind = 'write_off'
         AND rc.reference LIKE 'bankruptcy:' || bi.bankruptcy_id || ':discharge:%') AS w ON true
     WHERE bi.bankruptcy_id = b.id)::int8 AS pre_open,
    (SELECT json_agg(json_build_object('item_id', ri.id, 'category', ri.category, 'description', ri.description,
        'accounting_date', ri.accounting_date::text, 'service_from', ri.service_from::text,
        'service_to', ri.service_to::text, 'due_date', ri.due_date::text,
        'original_cents', ri.original_cents::text, 'pre_petition_cents', bi.pre_petition_cents::text)
        ORDER BY ri.accounting_date, ri.id)
     FROM bankruptcy_items AS bi JOIN receivable_items AS ri ON ri.id = bi.item_id
     WHERE bi.bankruptcy_id = b.id) AS items
  FROM bankruptcies AS b`;

const caseView = (r: Row): BankruptcyView => ({
  ...r,
  id: Number(r.id),
  account_id: Number(r.account_id),
  pre_petition_cents: BigInt(r.pre_petition_cents),
  pre_petition_open_cents: BigInt(r.pre_open),
  items: (r.items ?? []).map((i) => ({
    ...i,
    original_cents: BigInt(i.original_cents),
    pre_petition_cents: BigInt(i.pre_petition_cents),
  })),
});

export async function getBankruptcy(ctx: Ctx, id: number): Promise<BankruptcyView> {
  const [row] = await preparedRows<Row>(ctx, sql`${SELECT_CASES} WHERE b.id = ${id}::int8`);
  if (!row) throw notFound(`bankruptcy ${id}`, "bankruptcy_id");
  return caseView(row);
}

export async function bankruptciesOf(ctx: Ctx, accountId: number): Promise<BankruptcyView[]> {
  const rows = await preparedRows<Row>(
    ctx,
    sql`${SELECT_CASES} WHERE b.account_id = ${accountId}::int8 ORDER BY b.id DESC`,
  );
  return rows.map(caseView);
}
