import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { isValidAccountNumber } from "../../core/account-number.js";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { conflict, notFound } from "../../platform/errors.js";
import { accounts, requireAccount } from "../accounts/index.js";
import { accountBalances, glAccounts, journalPostings, postGeneralEntry } from "../ledger/index.js";
import { parties } from "../parties/index.js";
import { search } from "../search/index.js";
import { postPaymentsBulk } from "./bulk.js";
import { lockboxFiles, lockboxItems } from "./cashiering-schema.js";
import { idInput } from "./inputs.js";

/** Why the import could not post an item, in words for the person working the queue. */
export const SUSPENSE_REASONS: Record<string, string> = {
  no_account_number: "No account number on the stub",
  check_digit: "The account number fails its check digit",
  no_such_account: "No account has this number",
};

/** A lockbox item as the suspense queue shows it. */
export interface SuspenseItemView {
  id: number;
  file_id: number;
  file_name: string;
  line_number: number;
  deposit_date: string;
  amount_cents: bigint;
  /** The account number as the bank read it off the stub. */
  account_number: string | null;
  remitter: string | null;
  check_number: string | null;
  /** suspense | applied | returned (posted items never reach the queue) */
  status: string;
  reason: string | null;
  reason_label: string | null;
  /** Days since the bank's deposit date, by the business date. */
  age_days: number;
  account_id: number | null;
  payment_id: number | null;
  worked_by: string | null;
  worked_at: string | null;
  work_note: string | null;
  version: number;
}

/** An account the item may belong to, and why it is suggested. */
export interface Suggestion {
  account_id: number;
  account_number: string;
  name: string;
  status: string;
  amount_due_cents: bigint;
  /** "number with 2 digits swapped", "number with one digit different", "remitter's name", "amount equals amount due" */
  reasons: string[];
}

export const suspenseQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type SuspenseQuery = z.infer<typeof suspenseQuery>;

const note = z.string().trim().max(500);
export const applyInput = z.strictObject({ account_id: idInput, note: note.optional() });
export type ApplyInput = z.infer<typeof applyInput>;
export const returnInput = z.strictObject({ note: note.min(1, "say why it goes back") });
export type ReturnInput = z.infer<typeof returnInput>;

type ItemRow = typeof lockboxItems.$inferSelect;
type Joined = { item: ItemRow; fileName: string; depositDate: string };

const itemColumns = { item: lockboxItems, fileName: lockboxFiles.fileName, depositDate: lockboxFiles.depositDate };

const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

function itemView(ctx: Ctx, { item, fileName, depositDate }: Joined): SuspenseItemView {
  return {
    id: item.id,
    file_id: item.fileId,
    file_name: fileName,
    line_number: item.lineNumber,
    deposit_date: depositDate,
    amount_cents: item.amountCents,
    account_number: item.accountNumber,
    remitter: item.remitter,
    check_number: item.checkNumber,
    status: item.status,
    reason: item.suspenseReason,
    reason_label: item.suspenseReason ? (SUSPENSE_REASONS[item.suspenseReason] ?? item.suspenseReason) : null,
    age_days: Math.max(0, daysBetween(depositDate, ctx.clock.today().toString())),
    account_id: item.accountId,
    payment_id: item.paymentId,
    worked_by: item.workedBy,
    worked_at: item.workedAt ? isoInstant(item.workedAt) : null,
    work_note: item.workNote,
    version: item.version,
  };
}

/** The payment suspense queue: items parked by lockbox imports, oldest deposit first, with the queue's totals. */
export async function suspenseQueue(ctx: Ctx, query: SuspenseQuery = { limit: 100, offset: 0 }) {
  const rows = await ctx.db
    .select(itemColumns)
    .from(lockboxItems)
    .innerJoin(lockboxFiles, eq(lockboxFiles.id, lockboxItems.fileId))
    .where(eq(lockboxItems.status, "suspense"))
    .orderBy(asc(lockboxFiles.depositDate), asc(lockboxItems.id))
    .limit(query.limit)
    .offset(query.offset);
  const [totals] = await ctx.database.rows<{ n: bigint; cents: bigint }>(
    ctx.db,
    sql`SELECT count(*)::int8 AS n, coalesce(sum(amount_cents), 0)::int8 AS cents
          FROM ${lockboxItems} WHERE status = 'suspense'`,
  );
  return {
    items: rows.map((r) => itemView(ctx, r)),
    total_count: Number(totals!.n),
    total_cents: totals!.cents,
  };
}

/** The item (404 naming `field` when there is none), locked when `forUpdate`. */
async function requireItem(ctx: Ctx, id: number, forUpdate = false): Promise<Joined> {
  const query = ctx.db
    .select(itemColumns)
    .from(lockboxItems)
    .innerJoin(lockboxFiles, eq(lockboxFiles.id, lockboxItems.fileId))
    .where(eq(lockboxItems.id, id));
  const [row] = forUpdate ? await query.for("update", { of: lockboxItems }) : await query;
  if (!row) throw notFound(`lockbox item ${id}`, "item_id");
  return row;
}

/** Numbers one keying or reading slip away from `read`, each with the slip that would explain it. */
export function nearNumbers(read: string): Map<string, string> {
  const out = new Map<string, string>();
  const digits = read.replace(/[\s-]/g, "");
  if (!/^\d+$/.test(digits)) return out;
  const add = (n: string, why: string) => {
    if (n !== digits && isValidAccountNumber(n) && !out.has(n)) out.set(n, why);
  };
  if (digits.length === 10) {
    for (let i = 0; i + 1 < digits.length; i++) {
      if (digits[i] === digits[i + 1]) continue;
      add(digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2), "number with 2 digits swapped");
    }
    for (let i = 0; i < digits.length; i++) {
      for (const d of "0123456789") {
        add(digits.slice(0, i) + d + digits.slice(i + 1), "number with one digit different");
      }
    }
  } else if (digits.length === 9) {
    for (let i = 0; i <= digits.length; i++) {
      for (const d of "0123456789") add(digits.slice(0, i) + d + digits.slice(i), "number with a digit missing");
    }
  } else if (digits.length === 11) {
    for (let i = 0; i < digits.length; i++) add(digits.slice(0, i) + digits.slice(i + 1), "number with an extra digit");
  }
  return out;
}

// A remitter's name suggests at most this many accounts: beyond that the name is too common to help.
const NAME_SUGGESTIONS = 5;
const REMITTER_NAME = "remitter's name";
const AMOUNT_DUE = "amount equals amount due";

/** Accounts a suspense item may belong to, best first: near account numbers, the remitter's name, the amount due. */
export async function suggestionsFor(ctx: Ctx, item: ItemRow): Promise<Suggestion[]> {
  const found = new Map<number, { number: string; name: string; status: string; reasons: string[]; rank: number }>();
  const near = nearNumbers(item.accountNumber ?? "");
  if (near.size) {
    const rows = await ctx.db
      .select({ id: accounts.id, number: accounts.accountNumber, status: accounts.status, name: parties.displayName })
      .from(accounts)
      .innerJoin(parties, eq(parties.id, accounts.mainPartyId))
      .where(inArray(accounts.accountNumber, [...near.keys()]));
    for (const r of rows) {
      found.set(r.id, { number: r.number, name: r.name, status: r.status, reasons: [near.get(r.number)!], rank: 0 });
    }
  }
  const remitter = item.remitter?.trim() ?? "";
  if (/\p{L}{2}/u.test(remitter)) {
    const hits = await search(ctx, remitter, NAME_SUGGESTIONS);
    hits.forEach((h, i) => {
      const known = found.get(h.account_id);
      if (known) known.reasons.push(REMITTER_NAME);
      else
        found.set(h.account_id, {
          number: h.account_number,
          name: h.name,
          status: "",
          reasons: [REMITTER_NAME],
          rank: 1 + i,
        });
    });
  }
  const ids = [...found.keys()];
  if (ids.length) {
    const statuses = await ctx.db
      .select({ id: accounts.id, status: accounts.status })
      .from(accounts)
      .where(inArray(accounts.id, ids));
    for (const s of statuses) found.get(s.id)!.status = s.status;
  }
  const out: Suggestion[] = [];
  for (const [id, f] of found) {
    // One query per suggested account, a handful at most: the ledger's own reading of what is due.
    const due = (await accountBalances(ctx, id)).amount_due_cents;
    if (due === item.amountCents) f.reasons.push(AMOUNT_DUE);
    out.push({
      account_id: id,
      account_number: f.number,
      name: f.name,
      status: f.status,
      amount_due_cents: due,
      reasons: f.reasons,
    });
  }
  const rankOf = (s: Suggestion) => found.get(s.account_id)!.rank;
  return out.sort(
    (a, b) => b.reasons.length - a.reasons.length || rankOf(a) - rankOf(b) || a.account_id - b.account_id,
  );
}

/** One lockbox item with the accounts it may belong to (suggestions only while it is in suspense). */
export async function suspenseItem(ctx: Ctx, id: number) {
  const row = await requireItem(ctx, id);
  const suggestions = row.item.status === "suspense" ? await suggestionsFor(ctx, row.item) : [];
  return { ...itemView(ctx, row), suggestions };
}

/** Refuses to work an item that has left suspense (applied, returned, or posted by its import): 409 naming it. */
function assertInSuspense({ item, fileName }: Joined) {
  if (item.status === "suspense") return;
  const what = `lockbox item ${item.id} (${fileName}, line ${item.lineNumber})`;
  const state =
    item.status === "applied"
      ? `was already applied to account ${item.accountId} by ${item.workedBy}`
      : item.status === "returned"
        ? `was already returned to the sender by ${item.workedBy}`
        : "was posted by its import";
  throw conflict(`${what} is not in suspense: it ${state}`, { item_id: item.id, status: item.status });
}

/** The payment suspense GL account, and the bank clearing account its money came from. */
async function suspenseAccounts(ctx: Ctx) {
  const rows = await ctx.db
    .select({ code: glAccounts.code, purpose: glAccounts.purpose })
    .from(glAccounts)
    .where(inArray(glAccounts.purpose, ["payment_suspense", "bank_clearing"]));
  const code = (purpose: string) => {
    const found = rows.find((r) => r.purpose === purpose)?.code;
    if (!found) throw new Error(`the chart of GL accounts has no ${purpose} account`);
    return found;
  };
  return { suspense: code("payment_suspense"), bank: code("bank_clearing") };
}

const beforeImage = (item: ItemRow) => ({ status: item.status, account_id: item.accountId, version: item.version });

/**
 * Applies a suspense item to an account: a lockbox payment onto the account, debiting payment suspense (the money
 * is already in the bank), under the source reference the item would have posted with, so it can post only once.
 */
export async function applySuspenseItem(ctx: Ctx, id: number, input: ApplyInput) {
  return inTx(ctx, async (tx) => {
    const row = await requireItem(tx, id, true);
    assertInSuspense(row);
    const { item, depositDate } = row;
    const account = await requireAccount(tx.db, input.account_id, "account_id");
    const gl = await suspenseAccounts(tx);
    const [posted] = await postPaymentsBulk(
      tx,
      [
        {
          sourceRef: `lockbox:${item.fileId}:${item.lineNumber}`,
          accountId: account.id,
          amountCents: item.amountCents,
          tender: { type: "check", checkNumber: item.checkNumber },
          glDebitAccount: gl.suspense,
          channel: "lockbox",
          receivedOn: depositDate,
          note: input.note ?? null,
        },
      ],
      {
        action: "lockbox.suspense_apply",
        entityType: "lockbox_item",
        entityId: item.id,
        note: `from payment suspense to account ${account.accountNumber}`,
      },
    );
    const [after] = await tx.db
      .update(lockboxItems)
      .set({
        status: "applied",
        accountId: account.id,
        paymentId: posted!.paymentId,
        workedBy: tx.actor.username,
        workedAt: tx.clock.now().toString(),
        workNote: input.note ?? null,
        version: sql`${lockboxItems.version} + 1`,
      })
      .where(and(eq(lockboxItems.id, id), eq(lockboxItems.status, "suspense")))
      .returning();
    await audit(tx, {
      action: "lockbox_item.applied",
      entityType: "lockbox_item",
      entityId: id,
      accountId: account.id,
      before: beforeImage(item),
      after: { ...beforeImage(after!), payment_id: after!.paymentId, note: after!.workNote },
    });
    return itemView(tx, { ...row, item: after! });
  });
}

/**
 * Returns a suspense item to the sender: the money goes back out of the bank (Dr payment suspense / Cr the account
 * the import debited), so suspense empties. A note saying why is required.
 */
export async function returnSuspenseItem(ctx: Ctx, id: number, input: ReturnInput) {
  return inTx(ctx, async (tx) => {
    const row = await requireItem(tx, id, true);
    assertInSuspense(row);
    const { item, fileName } = row;
    const gl = await suspenseAccounts(tx);
    // The bank side is whatever the import debited when it parked the item (bank clearing unless the chart changed).
    const parked = item.suspenseEntryId
      ? await tx.db
          .select({ gl: journalPostings.glAccount, cents: journalPostings.amountCents })
          .from(journalPostings)
          .where(eq(journalPostings.entryId, item.suspenseEntryId))
      : [];
    const bank = parked.find((p) => p.gl !== gl.suspense && p.cents > 0n)?.gl ?? gl.bank;
    const entry = await postGeneralEntry(tx, {
      description: `Lockbox payment returned to the sender (${fileName}, line ${item.lineNumber}): ${input.note}`,
      reference: `lockbox:${item.fileId}:${item.lineNumber}:returned`,
      postings: [
        { gl_account: gl.suspense, amount_cents: item.amountCents },
        { gl_account: bank, amount_cents: -item.amountCents },
      ],
    });
    const [after] = await tx.db
      .update(lockboxItems)
      .set({
        status: "returned",
        workedBy: tx.actor.username,
        workedAt: tx.clock.now().toString(),
        workNote: input.note,
        version: sql`${lockboxItems.version} + 1`,
      })
      .where(and(eq(lockboxItems.id, id), eq(lockboxItems.status, "suspense")))
      .returning();
    await audit(tx, {
      action: "lockbox_item.returned",
      entityType: "lockbox_item",
      entityId: id,
      before: beforeImage(item),
      after: { ...beforeImage(after!), entry_id: entry.entry_id, note: input.note },
    });
    return { ...itemView(tx, { ...row, item: after! }), entry_id: entry.entry_id };
  });
}
