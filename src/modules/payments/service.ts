import { sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, type FieldError, notFound, Problem, ruleRefused } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { currentSetting } from "../../platform/settings.js";
import { postCredit } from "../ledger/index.js";
import type { PaymentInput, TenderInput } from "./inputs.js";
import { cashOnlyRefusedTenders } from "./settings.js";
import { describeTender, fundShares, tenderColumns, tenderGlPurpose } from "./tenders.js";
import { type NewLine, type NewPayment, type NewTender, type PaymentView, takenPaymentView } from "./views.js";

/** A tender with its amount settled, and the request field it came from. */
interface Tender {
  input: TenderInput;
  amountCents: bigint;
  field: string;
}

/** A share of the payment for one account, and the request field it came from. */
export interface Share {
  accountId: number;
  amountCents: bigint;
  itemIds?: number[];
  /** "" for the simple form's top-level fields, else "distribution.N.". */
  prefix: string;
}

const refuse = (errors: FieldError[]) => {
  if (errors.length) throw badRequest(`not valid: ${errors.map((e) => e.field).join(", ")}`, errors);
};

/** The tenders and shares of either form of the request; refuses a mix of forms, missing parts and unequal totals. */
function readForm(input: PaymentInput): { tenders: Tender[]; shares: Share[] } {
  const simple = input.account_id !== undefined || input.amount_cents !== undefined || input.tender !== undefined;
  const general = input.tenders !== undefined || input.distribution !== undefined;
  const errors: FieldError[] = [];
  const tenderOf = (t: TenderInput, field: string, amount: bigint): Tender => ({
    input: t,
    amountCents: amount,
    field,
  });
  if (simple && general) {
    throw badRequest("send either account_id, amount_cents and tender, or tenders and distribution", [
      { field: "tenders", message: "not with account_id, amount_cents or tender" },
    ]);
  }
  if (!general) {
    if (input.account_id === undefined) errors.push({ field: "account_id", message: "required" });
    if (input.amount_cents === undefined) errors.push({ field: "amount_cents", message: "required" });
    if (input.tender === undefined) errors.push({ field: "tender", message: "required" });
    const given = input.tender?.amount_cents;
    if (given !== undefined && input.amount_cents !== undefined && given !== input.amount_cents) {
      errors.push({ field: "tender.amount_cents", message: "must equal amount_cents (or be left out)" });
    }
    refuse(errors);
    const amount = BigInt(input.amount_cents!);
    return {
      tenders: [tenderOf(input.tender!, "tender", amount)],
      shares: [{ accountId: input.account_id!, amountCents: amount, prefix: "" }],
    };
  }
  if (!input.tenders) errors.push({ field: "tenders", message: "required with distribution" });
  if (!input.distribution) errors.push({ field: "distribution", message: "required with tenders" });
  refuse(errors);
  input.tenders!.forEach((t, i) => {
    if (t.amount_cents === undefined) errors.push({ field: `tenders.${i}.amount_cents`, message: "required" });
  });
  const seen = new Set<number>();
  input.distribution!.forEach((d, i) => {
    if (seen.has(d.account_id)) errors.push({ field: `distribution.${i}.account_id`, message: "named twice" });
    seen.add(d.account_id);
    if (d.item_ids && new Set(d.item_ids).size !== d.item_ids.length) {
      errors.push({ field: `distribution.${i}.item_ids`, message: "an item is named twice" });
    }
  });
  refuse(errors);
  const tendered = input.tenders!.reduce((s, t) => s + BigInt(t.amount_cents!), 0n);
  const distributed = input.distribution!.reduce((s, d) => s + BigInt(d.amount_cents), 0n);
  if (tendered !== distributed) {
    refuse([
      {
        field: "distribution",
        message: `distributes ${distributed} cents but the tenders total ${tendered} cents: they must be equal`,
      },
    ]);
  }
  return {
    tenders: input.tenders!.map((t, i) => tenderOf(t, `tenders.${i}`, BigInt(t.amount_cents!))),
    shares: input.distribution!.map((d, i) => ({
      accountId: d.account_id,
      amountCents: BigInt(d.amount_cents),
      itemIds: d.item_ids,
      prefix: `distribution.${i}.`,
    })),
  };
}

/** A ledger refusal about directed items, renamed to the request's own field. */
function renameItemFields(err: unknown, share: Share): unknown {
  if (!(err instanceof Problem)) return err;
  const errors = err.extra.errors as FieldError[] | undefined;
  if (!errors?.some((e) => e.field.startsWith("directed_item_ids"))) return err;
  const renamed = errors.map((e) => ({
    ...e,
    field: e.field.replace(/^directed_item_ids/, `${share.prefix || "distribution.0."}item_ids`),
  }));
  return new Problem(err.status, err.title, err.message, { ...err.extra, errors: renamed });
}

/** What the payment needs to know before it moves money, read at once: its accounts, the tender GL accounts, its id. */
interface Prepared {
  accounts: Map<number, { number: string; status: string; cashOnlyUntil: string | null } | null>;
  gl: Map<string, string>;
  /** The drawer named by `drawer_id`, else the taker's open drawer (locked against its closing), if any. */
  drawer: { id: number; status: string; cashierUserId: number } | null;
  /**
   * Taken only when nothing can refuse the payment any more (no missing or cash-only account, a drawer for cash, the
   * drawer named usable): ids stay dense.
   */
  paymentId: number | null;
}

/** What the payment asks of a cash drawer. */
interface DrawerWanted {
  /** The payment's `drawer_id`, if it names one. */
  named: number | null;
  /** The taker. */
  userId: number | null;
  /** Whether it holds cash, which needs a drawer. */
  cash: boolean;
}

// The GL accounts a tender may post to: bank clearing, or the cash drawers account while the taker has a drawer open.
const TENDER_PURPOSES = ["bank_clearing", "cash_drawers"];

/**
 * One query: each account (null when missing) with its cash-only status today, the GL accounts, the cash drawer (the
 * one named, else the taker's open one; locked FOR SHARE, so a drawer being closed waits for the payment, or the
 * payment for the close and then finds it closed), the payment's id.
 */
async function prepare(
  tx: Ctx,
  accountIds: number[],
  purposes: string[],
  today: string,
  wanted: DrawerWanted,
): Promise<Prepared> {
  const rows = await preparedRows<{
    side: string;
    id: bigint | null;
    a: string | null;
    b: string | null;
    c: string | null;
  }>(
    tx,
    sql`WITH acc AS (
          SELECT v.id, a.account_number, a.status,
                 (SELECT max(c.ends_on) FROM cash_only_periods AS c
                   WHERE c.account_id = v.id AND c.starts_on <= ${today}::date AND c.ends_on > ${today}::date)::text
                   AS cash_only_until
          FROM unnest(${sql.param(accountIds)}::int8[]) AS v(id) LEFT JOIN accounts AS a ON a.id = v.id),
        drw AS (
          SELECT d.id, d.status, d.cashier_user_id FROM cash_drawers AS d
          WHERE d.id = ${wanted.named}::int8
             OR (${wanted.named}::int8 IS NULL AND d.cashier_user_id = ${wanted.userId}::int8 AND d.status = 'open')
          FOR SHARE)
        SELECT 'account' AS side, id, account_number AS a, status AS b, cash_only_until AS c FROM acc
        UNION ALL
        SELECT 'gl', NULL, purpose, code, NULL FROM gl_accounts
          WHERE active AND purpose = ANY(${sql.param(purposes)}::text[])
        UNION ALL
        SELECT 'drawer', id, status, cashier_user_id::text, NULL FROM drw
        UNION ALL
        SELECT 'payment',
               CASE WHEN (SELECT bool_and(account_number IS NOT NULL AND cash_only_until IS NULL) FROM acc)
                         AND (EXISTS (SELECT 1 FROM drw WHERE status = 'open' AND cashier_user_id = ${wanted.userId}::int8)
                              OR (${wanted.named}::int8 IS NULL AND NOT ${wanted.cash}::bool))
                    THEN nextval(pg_get_serial_sequence('payments', 'id')) END,
               NULL, NULL, NULL`,
  );
  const out: Prepared = { accounts: new Map(), gl: new Map(), drawer: null, paymentId: null };
  for (const r of rows) {
    if (r.side === "account") {
      out.accounts.set(Number(r.id), r.a === null ? null : { number: r.a, status: r.b!, cashOnlyUntil: r.c });
    } else if (r.side === "gl") out.gl.set(r.a!, r.b!);
    else if (r.side === "drawer") out.drawer = { id: Number(r.id), status: r.a!, cashierUserId: Number(r.b) };
    else if (r.id !== null) out.paymentId = Number(r.id);
  }
  return out;
}

/**
 * The cash drawer the payment goes into: the one `drawer_id` names, which must be the taker's own and open; else the
 * taker's open drawer; else none, when the payment holds no cash (cash is refused without a drawer).
 */
function drawerFor(tx: Ctx, input: PaymentInput, tenders: Tender[], known: Prepared): number | null {
  const d = known.drawer;
  if (input.drawer_id !== undefined) {
    if (!d) throw notFound(`cash drawer ${input.drawer_id}`, "drawer_id");
    if (d.cashierUserId !== tx.actor.userId) {
      throw ruleRefused("payments.not_your_drawer", `cash drawer ${d.id} is another cashier's`, {
        drawer_id: d.id,
        errors: [{ field: "drawer_id", message: "not your drawer: payments go into your own open drawer" }],
      });
    }
    if (d.status !== "open") {
      throw ruleRefused("payments.drawer_closed", `cash drawer ${d.id} is ${d.status.replace("_", " ")}`, {
        drawer_id: d.id,
        errors: [{ field: "drawer_id", message: `drawer ${d.id} is closed: open a new drawer to take payments` }],
      });
    }
    return d.id;
  }
  if (d) return d.id;
  const cash = tenders.find((t) => t.input.type === "cash");
  if (cash) {
    throw ruleRefused(
      "payments.no_open_drawer",
      "cash is taken into the cashier's open cash drawer: you have none open",
      {
        errors: [{ field: `${cash.field}.type`, message: "open a cash drawer to take cash" }],
      },
    );
  }
  return null;
}

/**
 * Takes a payment: one payment event with its tenders, and one ledger credit per account share (Dr the tender's
 * GL account / Cr unapplied cash, then matched to the directed items or oldest due first). Overpayment stays
 * unapplied on the account. Closed accounts take payments too. A payment taken by a user with an open cash drawer
 * goes into it: its cash, checks and money orders post to the cash drawers GL account (cards and ACH, and every
 * tender taken without a drawer, to bank clearing); cash without an open drawer is refused. A cash-only account
 * refuses the tenders the setting names.
 * A handful of statements whatever it holds: one read, three per ledger credit, one write of the payment, its
 * tenders and shares; the answer is built from what was written, not read back.
 */
export async function takePayment(ctx: Ctx, input: PaymentInput): Promise<PaymentView> {
  const { tenders, shares } = readForm(input);
  const today = ctx.clock.today().toString();
  if (input.received_on && input.received_on > today) {
    refuse([{ field: "received_on", message: `not after today (${today})` }]);
  }
  const taken = tenders;
  return inTx(ctx, async (tx) => {
    // Accounts are locked (by the ledger, on their first credit) in ascending order, so two payments over the same
    // accounts can never wait on each other in a circle.
    const ordered = [...shares].sort((a, b) => a.accountId - b.accountId);
    const known = await prepare(
      tx,
      ordered.map((s) => s.accountId),
      TENDER_PURPOSES,
      today,
      {
        named: input.drawer_id ?? null,
        userId: tx.actor.userId,
        cash: taken.some((t) => t.input.type === "cash"),
      },
    );
    for (const s of ordered) {
      if (!known.accounts.get(s.accountId)) throw notFound(`account ${s.accountId}`, `${s.prefix}account_id`);
    }
    const drawerId = drawerFor(tx, input, taken, known);
    await refuseOnCashOnly(tx, taken, shares, known);
    const glOf = (t: Tender) => {
      const purpose = tenderGlPurpose(t.input.type, drawerId !== null);
      const code = known.gl.get(purpose);
      if (!code) throw new Error(`the chart of GL accounts has no ${purpose} account`);
      return code;
    };
    const id = known.paymentId ?? (await nextPaymentId(tx));
    const tenderRows: NewTender[] = taken.map((t, position) => ({
      position,
      type: t.input.type,
      amountCents: t.amountCents,
      glAccount: glOf(t),
      checkNumber: null,
      serialNumber: null,
      processorToken: null,
      brand: null,
      last4: null,
      routingLast4: null,
      ...tenderColumns(t.input),
    }));
    const what = tenderRows.map(describeTender).join(", ");
    const fundings = fundShares(
      taken.map((t) => ({ glAccount: glOf(t), amountCents: t.amountCents })),
      shares.map((s) => s.amountCents),
    );
    const posted: { index: number; line: NewLine }[] = [];
    const unapplied = new Map<number, bigint>();
    const balances = new Map<number, bigint>();
    for (const share of ordered) {
      const index = shares.indexOf(share);
      let first = true;
      for (const f of fundings.filter((x) => x.line === index)) {
        // Only the first credit of a share is directed: any further one (a share funded from two GL accounts)
        // pays what is left oldest due first.
        const credit = await postCredit(tx, {
          account_id: share.accountId,
          kind: "payment",
          amount_cents: f.amountCents,
          gl_debit_account: f.glAccount,
          directed_item_ids: first ? share.itemIds : undefined,
          reference: `payment:${id}`,
          description: `payment ${id}: ${what}`,
        }).catch((err: unknown) => {
          throw renameItemFields(err, share);
        });
        // A later credit's clearing may consume what an earlier one of this payment left unapplied.
        for (const m of credit.matches) {
          const left = unapplied.get(m.credit_id);
          if (left !== undefined) unapplied.set(m.credit_id, left - m.amount_cents);
        }
        unapplied.set(credit.credit.id, credit.unapplied_cents);
        balances.set(share.accountId, credit.balance_cents);
        posted.push({
          index,
          line: {
            accountId: share.accountId,
            amountCents: f.amountCents,
            glAccount: f.glAccount,
            itemIds: first ? (share.itemIds ?? null) : null,
            creditId: credit.credit.id,
            entryId: credit.entry_id,
          },
        });
        first = false;
      }
    }
    // Shares are kept in the order the payer gave them: the first is the account the payment was taken for.
    const lines = posted.sort((a, b) => a.index - b.index).map((p) => p.line);
    const payment: NewPayment = {
      id,
      accountingDate: today,
      receivedOn: input.received_on ?? today,
      channel: input.channel ?? "back_office",
      totalCents: taken.reduce((s, t) => s + t.amountCents, 0n),
      note: input.note || null,
      takenBy: tx.actor.username,
      takenByUserId: tx.actor.userId,
    };
    const written = await writePayment(tx, payment, drawerId, tenderRows, lines);
    const view = takenPaymentView({
      payment,
      recordedAt: written.recordedAt,
      tenders: tenderRows,
      lines: lines.map((l) => ({ ...l, id: written.lineIds.get(l.creditId)! })),
      accounts: known.accounts,
      unapplied,
      balances,
    });
    const after = {
      total_cents: view.total_cents,
      channel: view.channel,
      received_on: view.received_on,
      tenders: view.tenders.map((t) => ({ amount_cents: t.amount_cents, tender: t.description })),
      drawer_id: drawerId,
      distribution: view.distribution.map((l) => ({ account_id: l.account_id, amount_cents: l.amount_cents })),
    };
    // One row per account paid, so each account's history shows the payment.
    await audit(
      tx,
      ...shares.map((s) => ({
        action: "payments.take",
        entityType: "payment",
        entityId: id,
        accountId: s.accountId,
        after,
      })),
    );
    return view;
  });
}

async function nextPaymentId(tx: Ctx): Promise<number> {
  const [row] = await tx.database.rows<{ id: bigint }>(
    tx.db,
    sql`SELECT nextval(pg_get_serial_sequence('payments', 'id')) AS id`,
  );
  return Number(row!.id);
}

/** The payment, its tenders and its shares in one statement; returns when it was recorded and each share's id. */
async function writePayment(tx: Ctx, p: NewPayment, drawerId: number | null, tenders: NewTender[], lines: NewLine[]) {
  const t = <K extends keyof NewTender>(k: K) => sql.param(tenders.map((x) => x[k]));
  const l = <K extends keyof NewLine>(k: K) => sql.param(lines.map((x) => x[k]));
  const itemIds = sql.param(lines.map((x) => (x.itemIds === null ? null : JSON.stringify(x.itemIds))));
  const rows = await preparedRows<{ id: bigint | null; credit_id: bigint | null; recorded_at: string | null }>(
    tx,
    sql`WITH payment AS (
          INSERT INTO payments (id, accounting_date, received_on, channel, total_cents, note, taken_by, taken_by_user_id,
                                drawer_id)
          VALUES (${p.id}::int8, ${p.accountingDate}::date, ${p.receivedOn}::date, ${p.channel}, ${p.totalCents}::int8,
                  ${p.note}, ${p.takenBy}, ${p.takenByUserId}::int8, ${drawerId}::int8)
          RETURNING recorded_at),
        tenders AS (
          INSERT INTO payment_tenders (payment_id, position, type, amount_cents, gl_account, check_number,
                                       serial_number, processor_token, brand, last4, routing_last4)
          SELECT ${p.id}::int8, t.* FROM unnest(${t("position")}::int4[], ${t("type")}::text[],
            ${t("amountCents")}::int8[], ${t("glAccount")}::text[], ${t("checkNumber")}::text[],
            ${t("serialNumber")}::text[], ${t("processorToken")}::text[], ${t("brand")}::text[], ${t("last4")}::text[],
            ${t("routingLast4")}::text[]) AS t),
        lines AS (
          INSERT INTO payment_lines (payment_id, account_id, amount_cents, gl_account, item_ids, credit_id, entry_id)
          SELECT ${p.id}::int8, l.account_id, l.amount_cents, l.gl_account, l.item_ids::jsonb, l.credit_id, l.entry_id
          FROM unnest(${l("accountId")}::int8[], ${l("amountCents")}::int8[], ${l("glAccount")}::text[],
                      ${itemIds}::text[], ${l("creditId")}::int8[], ${l("entryId")}::int8[])
               AS l(account_id, amount_cents, gl_account, item_ids, credit_id, entry_id)
          RETURNING id, credit_id)
        SELECT NULL::int8 AS id, NULL::int8 AS credit_id, recorded_at FROM payment
        UNION ALL
        SELECT id, credit_id, NULL FROM lines`,
  );
  const lineIds = new Map<number, number>();
  let recordedAt = "";
  for (const r of rows) {
    if (r.recorded_at !== null) recordedAt = r.recorded_at;
    else lineIds.set(Number(r.credit_id), Number(r.id));
  }
  return { recordedAt, lineIds };
}

/** A cash-only account may not pay by the tenders the setting refuses (personal checks and ACH by default). */
async function refuseOnCashOnly(tx: Ctx, tenders: Tender[], shares: Share[], known: Prepared) {
  const barred = shares.find((s) => known.accounts.get(s.accountId)?.cashOnlyUntil);
  if (!barred) return;
  const refused = new Set<string>(await currentSetting(tx, cashOnlyRefusedTenders));
  const bad = tenders.filter((t) => refused.has(t.input.type));
  if (bad.length === 0) return;
  throw ruleRefused(
    "payments.cash_only",
    `account ${barred.accountId} is on cash-only status until ${known.accounts.get(barred.accountId)!.cashOnlyUntil}: ` +
      `it cannot pay by ${[...new Set(bad.map((t) => t.input.type))].join(" or ")}`,
    {
      account_id: barred.accountId,
      errors: bad.map((t) => ({ field: `${t.field}.type`, message: "not accepted from a cash-only account" })),
    },
  );
}
