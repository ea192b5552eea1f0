import { eq } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, type FieldError } from "../../platform/errors.js";
import { CATEGORY_PURPOSE, postingAccounts } from "./chart.js";
import {
  type CreditRow,
  clearAccount,
  type ItemRow,
  lockAccount,
  type MatchView,
  matchView,
  moveBalance,
} from "./clearing.js";
import { type ChargeInput, ITEM_CATEGORIES } from "./inputs.js";
import { beginEntry, postLines } from "./journal.js";
import { receivableItems } from "./schema.js";

/** A receivable item as the API shows it. */
export interface ItemView {
  id: number;
  account_id: number;
  category: string;
  service_period: { from: string; to: string } | null;
  due_date: string | null;
  accounting_date: string;
  original_cents: bigint;
  open_cents: bigint;
  /** open: something is owed; cleared: fully matched; reversed: taken back by a reversing entry. */
  status: "open" | "cleared" | "reversed";
  reference: string;
  description: string;
  entry_id: number;
  reversal_entry_id: number | null;
  version: number;
}

/** A credit as the API shows it; `unapplied_cents` is what no item has consumed yet. */
export interface CreditView {
  id: number;
  account_id: number;
  kind: string;
  accounting_date: string;
  original_cents: bigint;
  unapplied_cents: bigint;
  status: "unapplied" | "applied" | "reversed";
  gl_account: string;
  reference: string;
  description: string;
  entry_id: number;
  reversal_entry_id: number | null;
  version: number;
}

export const itemView = (i: ItemRow): ItemView => ({
  id: i.id,
  account_id: i.accountId,
  category: i.category,
  service_period: i.serviceFrom && i.serviceTo ? { from: i.serviceFrom, to: i.serviceTo } : null,
  due_date: i.dueDate,
  accounting_date: i.accountingDate,
  original_cents: i.originalCents,
  open_cents: i.openCents,
  status: i.reversalEntryId ? "reversed" : i.openCents > 0n ? "open" : "cleared",
  reference: i.reference,
  description: i.description,
  entry_id: i.entryId,
  reversal_entry_id: i.reversalEntryId,
  version: i.version,
});

export const creditView = (c: CreditRow): CreditView => ({
  id: c.id,
  account_id: c.accountId,
  kind: c.kind,
  accounting_date: c.accountingDate,
  original_cents: c.originalCents,
  unapplied_cents: c.openCents,
  status: c.reversalEntryId ? "reversed" : c.openCents > 0n ? "unapplied" : "applied",
  gl_account: c.glAccount,
  reference: c.reference,
  description: c.description,
  entry_id: c.entryId,
  reversal_entry_id: c.reversalEntryId,
  version: c.version,
});

const isDate = (value: string) => {
  try {
    return /^\d{4}-\d{2}-\d{2}$/.test(value) && Temporal.PlainDate.from(value).toString() === value;
  } catch {
    return false;
  }
};

/** Field problems common to charges and credits. */
export function checkCommon(input: {
  account_id: number;
  amount_cents: bigint;
  reference: string;
  description?: string;
}): FieldError[] {
  const errors: FieldError[] = [];
  if (!Number.isSafeInteger(input.account_id) || input.account_id <= 0) {
    errors.push({ field: "account_id", message: "a positive integer" });
  }
  if (typeof input.amount_cents !== "bigint" || input.amount_cents <= 0n) {
    errors.push({ field: "amount_cents", message: "a positive number of cents" });
  }
  if (typeof input.reference !== "string" || input.reference.length > 200) {
    errors.push({ field: "reference", message: "at most 200 characters" });
  }
  if (input.description !== undefined && (typeof input.description !== "string" || input.description.length > 500)) {
    errors.push({ field: "description", message: "at most 500 characters" });
  }
  return errors;
}

/** Throws a 400 naming the fields, when there are any. */
export function refuseIf(errors: FieldError[]) {
  if (errors.length) throw badRequest(`not valid: ${errors.map((e) => e.field).join(", ")}`, errors);
}

export interface ChargePosted {
  entry_id: number;
  item: ItemView;
  /** Unapplied credits the charge consumed at once. */
  clearing: MatchView[];
  balance_cents: bigint;
}

/**
 * Posts a charge: a receivable item on the account (Dr receivables / Cr the revenue or liability account), then
 * lets the account's unapplied credits consume its open items. One transaction, under the account's lock.
 */
export async function postCharge(ctx: Ctx, input: ChargeInput): Promise<ChargePosted> {
  const errors = checkCommon(input);
  if (!ITEM_CATEGORIES.includes(input.category)) errors.push({ field: "category", message: "not a known category" });
  const period = input.service_period ?? null;
  if (period && (!isDate(period.from) || !isDate(period.to) || period.from > period.to)) {
    errors.push({ field: "service_period", message: "from and to are dates, from not after to" });
  }
  if (input.due_date != null && !isDate(input.due_date)) errors.push({ field: "due_date", message: "a date" });
  refuseIf(errors);
  return inTx(ctx, async (tx) => {
    await lockAccount(tx, input.account_id);
    const gl = await postingAccounts(
      tx.db,
      input.gl_credit_account,
      CATEGORY_PURPOSE[input.category],
      "gl_credit_account",
    );
    const reference = input.reference;
    const entryId = await beginEntry(tx, {
      kind: "charge",
      accountId: input.account_id,
      reference,
      description: input.description ?? input.category,
    });
    const [item] = await tx.db
      .insert(receivableItems)
      .values({
        accountId: input.account_id,
        category: input.category,
        serviceFrom: period?.from ?? null,
        serviceTo: period?.to ?? null,
        dueDate: input.due_date ?? null,
        accountingDate: tx.clock.today().toString(),
        originalCents: input.amount_cents,
        openCents: input.amount_cents,
        reference,
        description: input.description ?? "",
        entryId,
      })
      .returning();
    await postLines(tx, entryId, [
      { glAccount: gl.receivable, amountCents: input.amount_cents, accountId: input.account_id, itemId: item!.id },
      { glAccount: gl.counter, amountCents: -input.amount_cents, accountId: input.account_id },
    ]);
    const balance = await moveBalance(tx, input.account_id, input.amount_cents);
    const clearing = (await clearAccount(tx, input.account_id, gl, reference)).map(matchView);
    const [fresh] = await tx.db.select().from(receivableItems).where(eq(receivableItems.id, item!.id));
    const result = { entry_id: entryId, item: itemView(fresh!), clearing, balance_cents: balance };
    await audit(tx, {
      action: "ledger.charge",
      entityType: "receivable_item",
      entityId: item!.id,
      accountId: input.account_id,
      after: result,
    });
    return result;
  });
}

export interface CreditPosted {
  entry_id: number;
  credit: CreditView;
  matches: MatchView[];
  unapplied_cents: bigint;
  balance_cents: bigint;
}
