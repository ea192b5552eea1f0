import { and, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, hasPermission } from "../../platform/context.js";
import { auditLog } from "../../platform/schema.js";
import { accountPartyLinks, accounts, requireAccount } from "../accounts/index.js";
import { requireParties } from "../parties/index.js";
import { agreementsOfAccount } from "../service/index.js";

import { type ActivityEvent, cents, image, type Lookups, tell } from "./activity-words.js";

export type { ActivityEvent };

/** One page of the timeline, and where the next (older) page starts. */
export interface ActivityPage {
  events: ActivityEvent[];
  /** Pass as `before` for the next older page; null when this page reaches the oldest event. */
  next_cursor: number | null;
}

type AuditRow = typeof auditLog.$inferSelect;

/**
 * Which audited actions the timeline tells, by the permission that reads their subject. The audit log is the one
 * place where every write to the account is recorded, in order, with who did it: reading it once per page beats one
 * query per owning context and keeps every context's events in one keyset order. Ledger rows are left out: each is
 * the posting beneath a payment, reversal or adjustment already told in the owner's words.
 */
const ACTIONS_BY_PERMISSION: Record<string, string[]> = {
  "accounts.read": [
    "account.create",
    "account.update",
    "service_agreement.create",
    "service_agreement.update",
    "enrolment.create",
    "enrolment.update",
  ],
  "contacts.read": ["contact.create"],
  "ledger.read": [
    "payments.take",
    "payments.reverse",
    "payments.transfer_in",
    "payments.transfer_out",
    "payments.cash_only",
    "adjustments.charge",
    "adjustments.credit",
    "approvals.request",
    "approvals.approve",
    "approvals.reject",
    "refunds.post",
  ],
  "customers.read": ["party.create", "party.update", "party.identity_revealed", "party.flag_add", "party.flag_update"],
};

/** Reads what the rows of a page name (premises, parties, other accounts, reversed payments), a query per kind. */
async function lookups(ctx: Ctx, accountId: number, rows: AuditRow[]): Promise<Lookups> {
  const has = (prefix: string) => rows.some((r) => r.action.startsWith(prefix));
  const look: Lookups = {
    premiseOfAgreement: new Map(),
    partyNames: new Map(),
    accountNumbers: new Map(),
    paymentTotals: new Map(),
  };
  if (has("service_agreement.")) {
    for (const a of await agreementsOfAccount(ctx.db, accountId)) {
      look.premiseOfAgreement.set(
        a.id,
        [a.premise.address_line1, a.premise.address_line2, a.premise.city].filter(Boolean).join(", "),
      );
    }
  }
  const partyIds = [...new Set(rows.filter((r) => r.entityType === "party").map((r) => Number(r.entityId)))];
  if (partyIds.length) {
    for (const [id, p] of await requireParties(ctx.db, partyIds, "party_id")) look.partyNames.set(id, p.displayName);
  }
  const others = rows
    .filter((r) => r.action === "payments.transfer_in" || r.action === "payments.transfer_out")
    .flatMap((r) => [Number(image(r.after).from_account_id), Number(image(r.after).to_account_id)]);
  if (others.length) {
    const found = await ctx.db
      .select({ id: accounts.id, number: accounts.accountNumber })
      .from(accounts)
      .where(inArray(accounts.id, [...new Set(others)]));
    for (const a of found) look.accountNumbers.set(a.id, a.number);
  }
  const reversed = rows.filter((r) => r.action === "payments.reverse").map((r) => r.entityId);
  if (reversed.length) {
    // The payment's total is in the row that took it (possibly on an older page).
    const taken = await ctx.db
      .select({ entityId: auditLog.entityId, after: auditLog.after })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.entityType, "payment"),
          inArray(auditLog.entityId, reversed),
          eq(auditLog.action, "payments.take"),
        ),
      );
    for (const t of taken) look.paymentTotals.set(t.entityId, cents(image(t.after).total_cents));
  }
  return look;
}

/**
 * The account's activity timeline, newest first, a page at a time: what happened on it (contacts, payments,
 * reversals and transfers, adjustments, service started and stopped, enrolments, account opened and closed) and to
 * the customers on it (details changed, identity revealed, flags), each in plain words with when and who. Built
 * from the audit rows for the account and its parties in one query, plus at most one query per kind of thing the
 * page names. Events whose subject the caller may not read are left out. `before` is the cursor of the last page.
 */
export async function accountActivity(
  ctx: Ctx,
  accountId: number,
  opts: { limit: number; before?: number },
): Promise<ActivityPage> {
  await requireAccount(ctx.db, accountId);
  const allowed = Object.entries(ACTIONS_BY_PERMISSION)
    .filter(([permission]) => hasPermission(ctx.actor, permission))
    .flatMap(([, actions]) => actions);
  const partyActions = allowed.filter((a) => a.startsWith("party."));
  const accountActions = allowed.filter((a) => !a.startsWith("party."));
  const partyIds = partyActions.length
    ? (await accountPartyLinks(ctx.db, accountId)).map((l) => String(l.partyId))
    : [];
  const about: SQL[] = [];
  if (accountActions.length)
    about.push(and(eq(auditLog.accountId, accountId), inArray(auditLog.action, accountActions))!);
  if (partyIds.length) {
    about.push(
      and(
        eq(auditLog.entityType, "party"),
        inArray(auditLog.entityId, partyIds),
        inArray(auditLog.action, partyActions),
      )!,
    );
  }
  if (!about.length) return { events: [], next_cursor: null };
  const where = or(...about)!;
  // One row more than asked says whether an older page exists without a count.
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(opts.before ? and(where, lt(auditLog.id, opts.before)) : where)
    .orderBy(desc(auditLog.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const look = await lookups(ctx, accountId, page);
  const events = page.flatMap((r) => {
    const told = tell(r, accountId, look);
    return told ? [{ id: r.id, at: isoInstant(r.recordedAt), actor: r.actorName, ...told }] : [];
  });
  return { events, next_cursor: rows.length > opts.limit ? page[page.length - 1]!.id : null };
}
