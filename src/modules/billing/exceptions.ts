/**
 * Bill exceptions and corrections: the queue of held bills; release (issue it as it is), cancel (a held bill is
 * dropped; an issued bill's entry is reversed), and rebill (cancel, then bill the same periods again from the reads
 * as they are now, after a billing analyst corrected them). Each is one transaction, audited, version-checked.
 */
import { sql } from "drizzle-orm";
import type { LineKind } from "../../core/rates/index.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { postBillsBulk, reverseEntry } from "../ledger/index.js";
import { billParts } from "./categories.js";
import { billChunk, offCycleRun } from "./chunk.js";
import { billDatesOn } from "./run-settings.js";

interface BillRow {
  id: bigint;
  account_id: bigint;
  account_number: string;
  name: string;
  customer_class: string;
  bill_date: string;
  period_from: string;
  period_to: string;
  status: "issued" | "held" | "cancelled";
  total_cents: bigint;
  kwh: string;
  estimated: boolean;
  exception: string | null;
  exception_note: string | null;
  entry_id: bigint | null;
  detail: { agreements: { lines: { kind: LineKind; amount_cents: number }[] }[] };
  created_at: string;
  version: number;
}

const COLUMNS = sql`b.id, b.account_id, a.account_number, p.display_name AS name, a.customer_class,
  b.bill_date::text AS bill_date, b.period_from::text AS period_from, b.period_to::text AS period_to, b.status,
  b.total_cents, b.kwh::text AS kwh, b.estimated, b.exception, b.exception_note, b.entry_id, b.detail,
  b.created_at::text AS created_at, b.version`;

const heldView = (r: BillRow) => ({
  bill_id: Number(r.id),
  account_id: Number(r.account_id),
  account_number: r.account_number,
  name: r.name,
  customer_class: r.customer_class,
  bill_date: r.bill_date,
  period: { from: r.period_from, to: r.period_to },
  status: r.status,
  total_cents: r.total_cents,
  kwh: r.kwh,
  estimated: r.estimated,
  exception: r.exception,
  exception_note: r.exception_note,
  held_since: r.created_at,
  version: r.version,
});
export type HeldBillView = ReturnType<typeof heldView>;

/** The held bills, oldest first, optionally of one reason. */
export async function heldBills(ctx: Ctx, opts: { reason?: string; limit?: number } = {}) {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
  const rows = await preparedRows<BillRow>(
    ctx,
    sql`SELECT ${COLUMNS} FROM bills AS b JOIN accounts AS a ON a.id = b.account_id
        JOIN parties AS p ON p.id = a.main_party_id
        WHERE b.status = 'held' AND (${opts.reason ?? null}::text IS NULL OR b.exception = ${opts.reason ?? null}::text)
        ORDER BY b.created_at, b.id LIMIT ${limit}::int4`,
  );
  const counts = await preparedRows<{ exception: string; n: bigint }>(
    ctx,
    sql`SELECT exception, count(*) AS n FROM bills WHERE status = 'held' GROUP BY exception ORDER BY exception`,
  );
  return { items: rows.map(heldView), by_reason: Object.fromEntries(counts.map((c) => [c.exception, Number(c.n)])) };
}

async function lockBill(tx: Ctx, billId: number, version: number): Promise<BillRow> {
  const [row] = await preparedRows<BillRow>(
    tx,
    sql`SELECT ${COLUMNS} FROM bills AS b JOIN accounts AS a ON a.id = b.account_id
        JOIN parties AS p ON p.id = a.main_party_id WHERE b.id = ${billId}::int8 FOR UPDATE OF b`,
  );
  if (!row) throw notFound(`bill ${billId}`, "bill_id");
  if (row.version !== version) throw staleVersion(`bill ${billId}`, heldView(row));
  return row;
}

const needReason = (reason: string | undefined) => {
  if (!reason?.trim() || reason.length > 500)
    throw badRequest("say why", [{ field: "reason", message: "1 to 500 characters" }]);
  return reason.trim();
};

/** Issues a held bill as it is: its entry is posted now, mailed and due from today. */
export async function releaseBill(ctx: Ctx, billId: number, input: { version: number; note?: string }) {
  return inTx(ctx, async (tx) => {
    const bill = await lockBill(tx, billId, input.version);
    if (bill.status !== "held")
      throw ruleRefused("billing.not_held", `bill ${billId} is ${bill.status}, not held`, {
        errors: [{ field: "bill_id", message: `the bill is ${bill.status}` }],
      });
    if (bill.exception === "cannot_price")
      throw ruleRefused("billing.cannot_price", `bill ${billId} could not be priced: correct it and rebill`, {
        errors: [{ field: "bill_id", message: bill.exception_note ?? "cannot be priced" }],
      });
    // A read corrected since the bill was held: releasing would bill the old reading.
    const [gone] = await preparedRows<{ read_on: string }>(
      tx,
      sql`SELECT r.read_on::text AS read_on FROM bill_segments AS s JOIN meter_reads AS r ON r.id = s.end_read_id
          WHERE s.bill_id = ${billId}::int8 AND r.status <> 'valid' LIMIT 1`,
    );
    if (gone)
      throw ruleRefused("billing.read_corrected", `the read of ${gone.read_on} was corrected since: rebill the bill`, {
        errors: [{ field: "bill_id", message: "read corrected since the bill was held" }],
      });
    const today = tx.clock.today().toString();
    const { mail, due } = await billDatesOn(tx, today);
    const lines = bill.detail.agreements.flatMap((a) =>
      a.lines.map((l) => ({ kind: l.kind, amountCents: BigInt(l.amount_cents) })),
    );
    const parts = billParts(lines, `${bill.period_from} to ${bill.period_to}`);
    const accountId = Number(bill.account_id);
    let entryId: number | null = null;
    let balance: bigint | null = null;
    if (parts.charges.length || parts.credits.length) {
      const [posted] = await postBillsBulk(tx, [
        {
          account_id: accountId,
          reference: `bill:${billId}`,
          description: `Bill of ${bill.bill_date}`,
          due_date: due,
          service_period: { from: bill.period_from, to: bill.period_to },
          ...parts,
        },
      ]);
      entryId = posted!.entry_id;
      balance = posted!.balance_cents;
    }
    const [row] = await preparedRows<{ version: number }>(
      tx,
      sql`UPDATE bills SET status = 'issued', entry_id = ${entryId}::int8, mail_date = ${mail}::date,
            due_date = ${due}::date,
            prior_balance_cents = coalesce(${balance}::int8 - total_cents, prior_balance_cents),
            amount_due_cents = coalesce(${balance}::int8, amount_due_cents), version = version + 1
          WHERE id = ${billId}::int8 RETURNING version`,
    );
    const result = {
      bill_id: billId,
      status: "issued",
      entry_id: entryId,
      mail_date: mail,
      due_date: due,
      version: row!.version,
    };
    await audit(tx, {
      action: "billing.release",
      entityType: "bill",
      entityId: billId,
      accountId,
      before: { status: "held", exception: bill.exception },
      after: { ...result, note: input.note ?? null },
    });
    return result;
  });
}

/** Cancels a bill: a held one is dropped; an issued one's entry is reversed. Its periods are billed again next. */
export async function cancelBill(ctx: Ctx, billId: number, input: { version: number; reason: string }) {
  const reason = needReason(input.reason);
  return inTx(ctx, async (tx) => (await cancelInTx(tx, billId, input.version, reason)).result);
}

async function cancelInTx(tx: Ctx, billId: number, version: number, reason: string) {
  const bill = await lockBill(tx, billId, version);
  if (bill.status === "cancelled")
    throw ruleRefused("billing.already_cancelled", `bill ${billId} is already cancelled`, {
      errors: [{ field: "bill_id", message: "already cancelled" }],
    });
  const reversal =
    bill.entry_id === null
      ? null
      : await reverseEntry(tx, Number(bill.entry_id), `bill ${billId} cancelled: ${reason}`);
  const [row] = await preparedRows<{ version: number }>(
    tx,
    sql`WITH segs AS (UPDATE bill_segments SET active = false WHERE bill_id = ${billId}::int8)
        UPDATE bills SET status = 'cancelled', cancel_entry_id = ${reversal?.reversal_entry_id ?? null}::int8,
          cancel_reason = ${reason}, version = version + 1
        WHERE id = ${billId}::int8 RETURNING version`,
  );
  const result = {
    bill_id: billId,
    status: "cancelled" as const,
    cancel_entry_id: reversal?.reversal_entry_id ?? null,
    balance_cents: reversal?.balance_cents ?? null,
    version: row!.version,
  };
  await audit(tx, {
    action: "billing.cancel",
    entityType: "bill",
    entityId: billId,
    accountId: Number(bill.account_id),
    before: { status: bill.status, entry_id: bill.entry_id === null ? null : Number(bill.entry_id) },
    after: { ...result, reason },
  });
  return { bill, result };
}

/**
 * Cancels a bill and bills the same account again, on the same bill date, from the reads as they are now (a read
 * corrected or replaced since): the new bill is issued, mailed and due from today, and points at the one it replaces.
 */
export async function rebillBill(ctx: Ctx, billId: number, input: { version: number; reason: string }) {
  const reason = needReason(input.reason);
  return inTx(ctx, async (tx) => {
    const { bill, result } = await cancelInTx(tx, billId, input.version, reason);
    const today = tx.clock.today().toString();
    const accountId = Number(bill.account_id);
    const outcome = await billChunk(tx, await offCycleRun(tx, today, bill.period_to), [accountId]);
    const made = outcome.bills[0];
    if (!made)
      throw ruleRefused(
        "billing.nothing_to_rebill",
        `account ${bill.account_number} has no reads to bill through ${bill.period_to}`,
        {
          errors: [{ field: "bill_id", message: "no reads for the period" }],
        },
      );
    await preparedRows(tx, sql`UPDATE bills SET rebill_of = ${billId}::int8 WHERE id = ${made.bill_id}::int8`);
    const [fresh] = await preparedRows<{
      status: string;
      total_cents: bigint;
      exception: string | null;
      exception_note: string | null;
    }>(tx, sql`SELECT status, total_cents, exception, exception_note FROM bills WHERE id = ${made.bill_id}::int8`);
    const rebill = {
      cancelled: result,
      bill_id: made.bill_id,
      status: fresh!.status,
      total_cents: fresh!.total_cents,
      exception: fresh!.exception,
      exception_note: fresh!.exception_note,
    };
    await audit(tx, {
      action: "billing.rebill",
      entityType: "bill",
      entityId: made.bill_id,
      accountId,
      after: { ...rebill, rebill_of: billId, reason },
    });
    return rebill;
  });
}
