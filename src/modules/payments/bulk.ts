import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { audit as auditRow } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, type FieldError } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { type BulkCreditInput, postCreditsBulk } from "../ledger/index.js";
import { describeTender } from "./tenders.js";

// Many payments posted at once (a payment batch, a lockbox file), a chunk of thousands in a handful of statements:
// 1. read which source references were posted already and which accounts do not exist;
// 2. insert the new payments (a source reference posted meanwhile by another run is skipped by the unique index);
// 3. the ledger posts one credit per payment, set-based (ledger/bulk-credits.ts: three or four statements);
// 4. write the tenders and the lines (each payment's share: its credit and entry);
// 5. one audit row for the chunk, and one per payment for its account's history (one INSERT).
// Each payment is what takePayment would write for one check, money order or cash tender on one account.

export interface BulkPayment {
  /** Unique per payment ("batch:12:3", "lockbox:5:17"): payments.source_ref has a unique index. */
  sourceRef: string;
  accountId: number;
  amountCents: bigint;
  tender: { type: "check" | "money_order" | "cash"; checkNumber?: string | null; serialNumber?: string | null };
  /** GL account code debited; default: the bank clearing account (purpose bank_clearing). */
  glDebitAccount?: string;
  /** payments.channel: "mail" | "lockbox" | "counter" | "back_office" | ... */
  channel: string;
  /** YYYY-MM-DD */
  receivedOn: string;
  drawerId?: number | null;
  note?: string | null;
}

export interface BulkPosted {
  sourceRef: string;
  paymentId: number;
  accountId: number;
  amountCents: bigint;
  /** true when a payment with this sourceRef already existed (posted by an earlier, cut-off run): nothing moved now. */
  alreadyPosted: boolean;
}

const TENDERS = ["check", "money_order", "cash"];

const isDate = (value: unknown) => {
  try {
    return (
      typeof value === "string" &&
      /^\d{4}-\d{2}-\d{2}$/.test(value) &&
      Temporal.PlainDate.from(value).toString() === value
    );
  } catch {
    return false;
  }
};

const safeId = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

/** Field problems of the list, each named `payments.N.field`. */
function check(list: readonly BulkPayment[], today: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  list.forEach((p, i) => {
    const at = (field: string, message: string) => errors.push({ field: `payments.${i}.${field}`, message });
    if (typeof p.sourceRef !== "string" || p.sourceRef.length === 0 || p.sourceRef.length > 200) {
      at("source_ref", "1-200 characters");
    } else if (seen.has(p.sourceRef)) {
      at("source_ref", `the same as payments.${seen.get(p.sourceRef)}.source_ref`);
    } else seen.set(p.sourceRef, i);
    if (!safeId(p.accountId)) at("account_id", "a positive integer");
    if (typeof p.amountCents !== "bigint" || p.amountCents <= 0n) at("amount_cents", "a positive number of cents");
    if (!p.tender || !TENDERS.includes(p.tender.type)) at("tender.type", "check, money_order or cash");
    if (typeof p.channel !== "string" || p.channel.length === 0 || p.channel.length > 40) {
      at("channel", "1-40 characters");
    }
    if (!isDate(p.receivedOn)) at("received_on", "a date (YYYY-MM-DD)");
    else if (p.receivedOn > today) at("received_on", `not after today (${today})`);
    if (p.drawerId != null && !safeId(p.drawerId)) at("drawer_id", "a positive integer");
    if (p.note != null && (typeof p.note !== "string" || p.note.length > 1000)) at("note", "at most 1000 characters");
  });
  return errors;
}

/** Step 1: the payments already posted under these source references, and the positions of unknown accounts. */
async function known(tx: Ctx, list: readonly BulkPayment[]) {
  const rows = await preparedRows<{ side: string; id: bigint; source_ref: string | null }>(
    tx,
    sql`SELECT 'posted' AS side, p.id, p.source_ref FROM payments AS p
          WHERE p.source_ref = ANY(${sql.param(list.map((p) => p.sourceRef))}::text[])
        UNION ALL
        SELECT 'missing', v.ord, NULL
          FROM unnest(${sql.param(list.map((p) => p.accountId))}::int8[]) WITH ORDINALITY AS v(id, ord)
          WHERE NOT EXISTS (SELECT 1 FROM accounts AS a WHERE a.id = v.id)`,
  );
  const posted = new Map<string, number>();
  const missing: number[] = [];
  for (const r of rows) {
    if (r.side === "posted") posted.set(r.source_ref!, Number(r.id));
    else missing.push(Number(r.id) - 1);
  }
  return { posted, missing: missing.sort((a, b) => a - b) };
}

/** Step 2: the new payments, in list order; those whose source reference a concurrent run took meanwhile are left out. */
async function insertPayments(tx: Ctx, fresh: readonly BulkPayment[], today: string) {
  const col = <T>(f: (p: BulkPayment) => T) => sql.param(fresh.map(f));
  const rows = await preparedRows<{ id: bigint; source_ref: string }>(
    tx,
    sql`INSERT INTO payments (accounting_date, received_on, channel, total_cents, note, taken_by, taken_by_user_id,
                              drawer_id, source_ref)
        SELECT ${today}::date, v.received_on, v.channel, v.total_cents, v.note, ${tx.actor.username},
               ${tx.actor.userId}::int8, v.drawer_id, v.source_ref
        FROM unnest(${col((p) => p.receivedOn)}::date[], ${col((p) => p.channel)}::text[],
                    ${col((p) => p.amountCents)}::int8[], ${col((p) => p.note ?? null)}::text[],
                    ${col((p) => p.drawerId ?? null)}::int8[], ${col((p) => p.sourceRef)}::text[])
             WITH ORDINALITY AS v(received_on, channel, total_cents, note, drawer_id, source_ref, ord)
        ORDER BY v.ord
        ON CONFLICT (source_ref) DO NOTHING
        RETURNING id, source_ref`,
  );
  return new Map(rows.map((r) => [r.source_ref, Number(r.id)]));
}

/** The payments posted meanwhile by a concurrent run under these source references. */
async function postedMeanwhile(tx: Ctx, refs: string[]): Promise<Map<string, number>> {
  if (refs.length === 0) return new Map();
  const rows = await preparedRows<{ id: bigint; source_ref: string }>(
    tx,
    sql`SELECT id, source_ref FROM payments WHERE source_ref = ANY(${sql.param(refs)}::text[])`,
  );
  return new Map(rows.map((r) => [r.source_ref, Number(r.id)]));
}

/** The tender as a line of the journal's description, as takePayment words it. */
function tenderWords(p: BulkPayment): string {
  const { type, checkNumber, serialNumber } = p.tender;
  if (type === "check" && !checkNumber) return "Check";
  if (type === "money_order" && !serialNumber) return "Money order";
  return describeTender({
    type,
    checkNumber: checkNumber ?? null,
    serialNumber: serialNumber ?? null,
    brand: null,
    last4: null,
  });
}

interface Written {
  payment: BulkPayment;
  paymentId: number;
  creditId: number;
  entryId: number;
  glAccount: string;
}

/** Step 4: each payment's tender and line, in one statement. */
async function writeTendersAndLines(tx: Ctx, rows: readonly Written[]) {
  const col = <T>(f: (w: Written) => T) => sql.param(rows.map(f));
  await preparedRows(
    tx,
    sql`WITH
    tenders AS (
      INSERT INTO payment_tenders (payment_id, position, type, amount_cents, gl_account, check_number, serial_number)
      SELECT t.payment_id, 0, t.type, t.amount_cents, t.gl_account, t.check_number, t.serial_number
      FROM unnest(${col((w) => w.paymentId)}::int8[], ${col((w) => w.payment.tender.type)}::text[],
                  ${col((w) => w.payment.amountCents)}::int8[], ${col((w) => w.glAccount)}::text[],
                  ${col((w) => (w.payment.tender.type === "check" ? (w.payment.tender.checkNumber ?? null) : null))}::text[],
                  ${col((w) => (w.payment.tender.type === "money_order" ? (w.payment.tender.serialNumber ?? null) : null))}::text[])
           AS t(payment_id, type, amount_cents, gl_account, check_number, serial_number)),
    lines AS (
      INSERT INTO payment_lines (payment_id, account_id, amount_cents, gl_account, credit_id, entry_id)
      SELECT l.payment_id, l.account_id, l.amount_cents, l.gl_account, l.credit_id, l.entry_id
      FROM unnest(${col((w) => w.paymentId)}::int8[], ${col((w) => w.payment.accountId)}::int8[],
                  ${col((w) => w.payment.amountCents)}::int8[], ${col((w) => w.glAccount)}::text[],
                  ${col((w) => w.creditId)}::int8[], ${col((w) => w.entryId)}::int8[])
           AS l(payment_id, account_id, amount_cents, gl_account, credit_id, entry_id))
    SELECT 1 AS done`,
  );
}

/**
 * Posts many payments set-based, inside the caller's transaction (use inTx so it also works standalone): each is
 * one payment row (+ tender + line), one ledger credit matched oldest due first exactly as takePayment/postCredit
 * would match it, with the same journal entries. Payments whose sourceRef exists already are skipped.
 */
export async function postPaymentsBulk(
  ctx: Ctx,
  list: BulkPayment[],
  audit: { action: string; entityType: string; entityId: string | number; note?: string },
): Promise<BulkPosted[]> {
  const today = ctx.clock.today().toString();
  const errors = check(list, today);
  if (errors.length) {
    throw badRequest(
      `not valid: ${errors
        .slice(0, 10)
        .map((e) => e.field)
        .join(", ")}`,
      errors,
    );
  }
  if (list.length === 0) return [];
  return inTx(ctx, async (tx) => {
    const { posted, missing } = await known(tx, list);
    if (missing.length) {
      throw badRequest(
        `no such account: ${missing
          .slice(0, 10)
          .map((i) => list[i]!.accountId)
          .join(", ")}`,
        missing.map((i) => ({ field: `payments.${i}.account_id`, message: "no such account" })),
      );
    }
    const fresh = list.filter((p) => !posted.has(p.sourceRef));
    const ids = fresh.length ? await insertPayments(tx, fresh, today) : new Map<string, number>();
    for (const [ref, id] of await postedMeanwhile(
      tx,
      fresh.filter((p) => !ids.has(p.sourceRef)).map((p) => p.sourceRef),
    )) {
      posted.set(ref, id);
    }
    const toPost = fresh.filter((p) => ids.has(p.sourceRef));
    const position = new Map(list.map((p, i) => [p.sourceRef, i]));
    const credits: BulkCreditInput[] = toPost.map((p) => {
      const id = ids.get(p.sourceRef)!;
      return {
        account_id: p.accountId,
        kind: "payment",
        amount_cents: p.amountCents,
        gl_debit_account: p.glDebitAccount,
        reference: `payment:${id}`,
        description: `payment ${id}: ${tenderWords(p)}`,
      };
    });
    const ledger = await postCreditsBulk(tx, credits, {
      field: (i, name) => `payments.${position.get(toPost[i]!.sourceRef)}.${name}`,
    });
    if (toPost.length) {
      await writeTendersAndLines(
        tx,
        toPost.map((payment, i) => ({
          payment,
          paymentId: ids.get(payment.sourceRef)!,
          creditId: ledger[i]!.credit_id,
          entryId: ledger[i]!.entry_id,
          glAccount: ledger[i]!.gl_account,
        })),
      );
    }
    const total = toPost.reduce((s, p) => s + p.amountCents, 0n);
    // The chunk's own row, and one per payment in the shape takePayment writes: each account's history (the
    // activity timeline) shows the payment as it shows one taken at the counter. All in the one INSERT.
    const perPayment = toPost.map((p) => ({
      action: "payments.take",
      entityType: "payment",
      entityId: ids.get(p.sourceRef)!,
      accountId: p.accountId,
      after: {
        total_cents: p.amountCents,
        channel: p.channel,
        received_on: p.receivedOn,
        source_ref: p.sourceRef,
        tenders: [{ amount_cents: p.amountCents, tender: tenderWords(p) }],
        distribution: [{ account_id: p.accountId, amount_cents: p.amountCents }],
      },
    }));
    await auditRow(tx, ...perPayment, {
      action: audit.action,
      entityType: audit.entityType,
      entityId: audit.entityId,
      after: {
        count: toPost.length,
        total_cents: total,
        already_posted: list.length - toPost.length,
        first_source_ref: list[0]!.sourceRef,
        last_source_ref: list[list.length - 1]!.sourceRef,
        ...(audit.note === undefined ? {} : { note: audit.note }),
      },
    });
    return list.map((p) => {
      const newId = ids.get(p.sourceRef);
      return {
        sourceRef: p.sourceRef,
        paymentId: newId ?? posted.get(p.sourceRef)!,
        accountId: p.accountId,
        amountCents: p.amountCents,
        alreadyPosted: newId === undefined,
      };
    });
  });
}
