import { asc, eq, inArray, or } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { badRequest } from "../../platform/errors.js";
import type { CreditKind, ItemCategory } from "./inputs.js";
import { glAccounts } from "./schema.js";

export type GlAccountRow = typeof glAccounts.$inferSelect;

/** A GL account as the API shows it. */
export interface GlAccountView {
  code: string;
  name: string;
  type: string;
  purpose: string | null;
  subledger: string | null;
  active: boolean;
  /** debit for assets and expenses, credit for liabilities, equity and revenue. */
  normal_balance: "debit" | "credit";
  version: number;
}

export const glAccountView = (g: GlAccountRow): GlAccountView => ({
  code: g.code,
  name: g.name,
  type: g.type,
  purpose: g.purpose,
  subledger: g.subledger,
  active: g.active,
  normal_balance: g.type === "asset" || g.type === "expense" ? "debit" : "credit",
  version: g.version,
});

/** The GL account each charge category credits unless the caller names another. */
export const CATEGORY_PURPOSE: Record<ItemCategory, string> = {
  energy: "revenue_energy",
  delivery: "revenue_delivery",
  tax: "taxes_payable",
  fee: "revenue_fees",
  deposit: "deposits_held",
  adjustment: "revenue_adjustments",
  refund: "refunds_payable",
  transfer: "transfer_clearing",
  recovery: "bad_debt_recoveries",
  level_pay: "level_pay_deferred",
};

/** The GL account each kind of credit debits unless the caller names another. */
export const CREDIT_PURPOSE: Record<CreditKind, string> = {
  payment: "bank_clearing",
  credit_adjustment: "revenue_adjustments",
  write_off: "bad_debt",
  forgiveness: "revenue_adjustments",
  transfer: "transfer_clearing",
  deposit_application: "deposits_held",
  level_pay_deferral: "level_pay_deferred",
};

/** The chart of GL accounts, by code. */
export async function listGlAccounts(ctx: Ctx): Promise<GlAccountView[]> {
  const rows = await ctx.db.select().from(glAccounts).orderBy(asc(glAccounts.code));
  return rows.map(glAccountView);
}

/** The subledger GL accounts an account's items and credits post to. */
export interface Subledger {
  receivable: string;
  unapplied: string;
}

/** What a charge or credit posts to: the subledger accounts and the counter account. */
export interface PostingAccounts extends Subledger {
  counter: string;
}

const subledgerOf = (rows: GlAccountRow[]): Subledger => {
  const receivable = rows.find((r) => r.purpose === "receivables");
  const unapplied = rows.find((r) => r.purpose === "unapplied_cash");
  if (receivable?.subledger !== "receivable" || unapplied?.subledger !== "unapplied") {
    throw new Error("the chart of GL accounts has no receivables or unapplied cash account");
  }
  return { receivable: receivable.code, unapplied: unapplied.code };
};

/** The receivables and unapplied cash GL accounts. */
export async function subledgerAccounts(db: Db): Promise<Subledger> {
  return subledgerOf(
    await db
      .select()
      .from(glAccounts)
      .where(inArray(glAccounts.purpose, ["receivables", "unapplied_cash"])),
  );
}

/**
 * Resolves the GL accounts of a charge or credit: the counter account named (or the default for `purpose`), which
 * must exist, be active and lie outside the subledger, plus the receivable and unapplied accounts.
 */
export async function postingAccounts(
  db: Db,
  named: string | undefined,
  purpose: string,
  field: string,
): Promise<PostingAccounts> {
  const rows = await db
    .select()
    .from(glAccounts)
    .where(
      or(
        inArray(glAccounts.purpose, ["receivables", "unapplied_cash", purpose]),
        named ? eq(glAccounts.code, named) : undefined,
      ),
    );
  return resolvePostingAccounts(rows, named, purpose, field);
}

/** postingAccounts over chart rows already read (those of the subledger, of `purpose` and the one `named`). */
export function resolvePostingAccounts(
  rows: GlAccountRow[],
  named: string | undefined,
  purpose: string,
  field: string,
): PostingAccounts {
  const subledger = subledgerOf(rows);
  const counter = named ? rows.find((r) => r.code === named) : rows.find((r) => r.purpose === purpose);
  if (!counter) {
    throw badRequest(`no GL account ${named ?? `for ${purpose}`}`, [{ field, message: "not in the chart" }]);
  }
  if (!counter.active) throw badRequest(`GL account ${counter.code} is closed`, [{ field, message: "inactive" }]);
  if (counter.subledger) {
    throw badRequest(`GL account ${counter.code} is a customer subledger account`, [
      { field, message: "receivable and unapplied accounts are posted only through items and credits" },
    ]);
  }
  return { ...subledger, counter: counter.code };
}

/** The GL accounts named, by code; refuses unknown, inactive and subledger accounts (general entries). */
export async function generalAccounts(db: Db, codes: string[]): Promise<Map<string, GlAccountRow>> {
  const rows = await db.select().from(glAccounts).where(inArray(glAccounts.code, codes));
  const found = new Map(rows.map((r) => [r.code, r]));
  codes.forEach((code, i) => {
    const row = found.get(code);
    const field = `postings.${i}.gl_account`;
    if (!row) throw badRequest(`no GL account ${code}`, [{ field, message: "not in the chart" }]);
    if (!row.active) throw badRequest(`GL account ${code} is closed`, [{ field, message: "inactive" }]);
    if (row.subledger) {
      throw badRequest(`GL account ${code} is a customer subledger account`, [
        { field, message: "post charges and credits instead" },
      ]);
    }
  });
  return found;
}
