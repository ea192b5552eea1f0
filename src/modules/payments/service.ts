import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, type FieldError, Problem, ruleRefused } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { requireAccount } from "../accounts/index.js";
import { postCredit } from "../ledger/index.js";
import { cashOnlyStatuses } from "./cash-only.js";
import type { PaymentInput, TenderInput } from "./inputs.js";
import { paymentLines, payments, paymentTenders } from "./schema.js";
import { cashOnlyRefusedTenders } from "./settings.js";
import { describeTender, fundShares, TENDER_GL_PURPOSE, tenderColumns, tenderGlAccounts } from "./tenders.js";
import { type PaymentView, paymentView } from "./views.js";

type NonCash = Exclude<TenderInput, { type: "cash" }>;

/** A tender with its amount settled, and the request field it came from. */
interface Tender {
  input: NonCash;
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
function readForm(input: PaymentInput): { tenders: (Tender | { cash: string })[]; shares: Share[] } {
  const simple = input.account_id !== undefined || input.amount_cents !== undefined || input.tender !== undefined;
  const general = input.tenders !== undefined || input.distribution !== undefined;
  const errors: FieldError[] = [];
  const tenderOf = (t: TenderInput, field: string, amount: bigint): Tender | { cash: string } =>
    t.type === "cash" ? { cash: `${field}.type` } : { input: t, amountCents: amount, field };
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

/**
 * Takes a payment: one payment event with its tenders, and one ledger credit per account share (Dr the tender's
 * GL account, bank clearing for checks, money orders, cards and ACH / Cr unapplied cash, then matched to the
 * directed items or oldest due first). Overpayment stays unapplied on the account. Closed accounts take payments
 * too. Cash is refused until cash drawers exist; a cash-only account refuses the tenders the setting names.
 */
export async function takePayment(ctx: Ctx, input: PaymentInput): Promise<PaymentView> {
  const { tenders, shares } = readForm(input);
  const today = ctx.clock.today().toString();
  if (input.received_on && input.received_on > today) {
    refuse([{ field: "received_on", message: `not after today (${today})` }]);
  }
  const cash = tenders.find((t): t is { cash: string } => "cash" in t);
  if (cash) {
    throw ruleRefused("payments.cash_not_accepted", "cash is taken into a cash drawer, which Kilowatt has not yet", {
      errors: [{ field: cash.cash, message: "cash is not accepted yet: take a check, money order, card or ACH" }],
    });
  }
  const taken = tenders as Tender[];
  return inTx(ctx, async (tx) => {
    // Accounts are locked (by the ledger, on their first credit) in ascending order, so two payments over the same
    // accounts can never wait on each other in a circle.
    const ordered = [...shares].sort((a, b) => a.accountId - b.accountId);
    for (const s of ordered) await requireAccount(tx.db, s.accountId, `${s.prefix}account_id`);
    await refuseOnCashOnly(tx, taken, shares, today);
    const gl = await tenderGlAccounts(tx);
    const glOf = (t: Tender) => {
      const code = gl.get(TENDER_GL_PURPOSE[t.input.type]);
      if (!code) throw new Error(`the chart of GL accounts has no ${TENDER_GL_PURPOSE[t.input.type]} account`);
      return code;
    };
    const [payment] = await tx.db
      .insert(payments)
      .values({
        accountingDate: today,
        receivedOn: input.received_on ?? today,
        channel: input.channel ?? "back_office",
        totalCents: taken.reduce((s, t) => s + t.amountCents, 0n),
        note: input.note || null,
        takenBy: tx.actor.username,
        takenByUserId: tx.actor.userId,
      })
      .returning();
    const id = payment!.id;
    const tenderRows = await tx.db
      .insert(paymentTenders)
      .values(
        taken.map((t, position) => ({
          paymentId: id,
          position,
          type: t.input.type,
          amountCents: t.amountCents,
          glAccount: glOf(t),
          ...tenderColumns(t.input),
        })),
      )
      .returning();
    const what = tenderRows.map(describeTender).join(", ");
    const fundings = fundShares(
      taken.map((t) => ({ glAccount: glOf(t), amountCents: t.amountCents })),
      shares.map((s) => s.amountCents),
    );
    const posted: { index: number; line: typeof paymentLines.$inferInsert }[] = [];
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
        posted.push({
          index,
          line: {
            paymentId: id,
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
    await tx.db.insert(paymentLines).values(posted.sort((a, b) => a.index - b.index).map((p) => p.line));
    const view = await paymentView(tx, id);
    const after = {
      total_cents: view.total_cents,
      channel: view.channel,
      received_on: view.received_on,
      tenders: view.tenders.map((t) => ({ amount_cents: t.amount_cents, tender: t.description })),
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

/** A cash-only account may not pay by the tenders the setting refuses (personal checks and ACH by default). */
async function refuseOnCashOnly(tx: Ctx, tenders: Tender[], shares: Share[], today: string) {
  const statuses = await cashOnlyStatuses(
    tx.db,
    shares.map((s) => s.accountId),
    today,
  );
  const barred = shares.find((s) => statuses.get(s.accountId)?.cash_only);
  if (!barred) return;
  const refused = new Set<string>(await currentSetting(tx, cashOnlyRefusedTenders));
  const bad = tenders.filter((t) => refused.has(t.input.type));
  if (bad.length === 0) return;
  throw ruleRefused(
    "payments.cash_only",
    `account ${barred.accountId} is on cash-only status until ${statuses.get(barred.accountId)!.cash_only_until}: ` +
      `it cannot pay by ${[...new Set(bad.map((t) => t.input.type))].join(" or ")}`,
    {
      account_id: barred.accountId,
      errors: bad.map((t) => ({ field: `${t.field}.type`, message: "not accepted from a cash-only account" })),
    },
  );
}
