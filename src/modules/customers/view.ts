import { and, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, hasPermission } from "../../platform/context.js";
import { auditLog } from "../../platform/schema.js";
import {
  accountMailing,
  accountPartyLinks,
  type EnrolmentView,
  enrolmentsOfAccount,
  requireAccount,
} from "../accounts/index.js";
import { type ContactView, recentContacts } from "../contacts/index.js";
import { accountBalances } from "../ledger/index.js";
import { type AddressView, getParties, type PartyView } from "../parties/index.js";
import { cashOnlyStatus } from "../payments/index.js";
import { type AgreementDetail, agreementsOfAccount } from "../service/index.js";

export const RECENT_CONTACTS = 10;

/** Everything a CSR sees about an account on one screen. */
export interface AccountView {
  id: number;
  account_id: number;
  account_number: string;
  status: string;
  version: number;
  customer_class: string;
  bill_cycle: string;
  notice_channel: string;
  opened_on: string;
  closed_on: string | null;
  /** The business date the view was read on: what "active" means for enrolments and flags. */
  as_of: string;
  /** Where bills go: the account's own address, else the main customer's. */
  mailing_address: AddressView | null;
  mailing_address_source: "account" | "customer" | null;
  /** The main customer, identity masked (null without customers.read). */
  customer: PartyView | null;
  co_applicants: PartyView[] | null;
  service_agreements: AgreementDetail[];
  enrolments: EnrolmentView[];
  /** The last ten contacts, newest first (null without contacts.read). */
  recent_contacts: ContactView[] | null;
  /** From the ledger as of today (null without ledger.read): positive = the customer owes. */
  balance_cents: bigint | null;
  amount_due_cents: bigint | null;
  past_due_cents: bigint | null;
  /** Whether the account may pay only in cash or guaranteed funds (after returned payments). */
  cash_only: boolean;
}

/**
 * The account view in a fixed number of queries (about a dozen, whatever the number of parties, agreements or
 * contacts): each part is read as a set, never row by row. Parts the caller may not read come back null.
 */
export async function accountView(ctx: Ctx, accountId: number): Promise<AccountView> {
  const today = ctx.clock.today().toString();
  const account = await requireAccount(ctx.db, accountId);
  const links = await accountPartyLinks(ctx.db, accountId);
  const seesCustomers = hasPermission(ctx.actor, "customers.read");
  const people = seesCustomers
    ? await getParties(
        ctx,
        links.map((l) => l.partyId),
      )
    : [];
  const customer = people.find((p) => p.id === account.mainPartyId) ?? null;
  const own = accountMailing(account);
  const mailing = own ?? customer?.mailing_address ?? null;
  const balances = hasPermission(ctx.actor, "ledger.read") ? await accountBalances(ctx, accountId) : null;
  return {
    id: account.id,
    account_id: account.id,
    account_number: account.accountNumber,
    status: account.status,
    version: account.version,
    customer_class: account.customerClass,
    bill_cycle: account.billCycle,
    notice_channel: account.noticeChannel,
    opened_on: account.openedOn,
    closed_on: account.closedOn,
    as_of: today,
    mailing_address: mailing,
    mailing_address_source: own ? "account" : mailing ? "customer" : null,
    customer: seesCustomers ? customer : null,
    co_applicants: seesCustomers ? people.filter((p) => p.id !== account.mainPartyId) : null,
    service_agreements: await agreementsOfAccount(ctx.db, accountId),
    enrolments: await enrolmentsOfAccount(ctx.db, accountId, today),
    recent_contacts: hasPermission(ctx.actor, "contacts.read")
      ? await recentContacts(ctx.db, accountId, RECENT_CONTACTS)
      : null,
    balance_cents: balances?.balance_cents ?? null,
    amount_due_cents: balances?.amount_due_cents ?? null,
    past_due_cents: balances?.past_due_cents ?? null,
    cash_only: (await cashOnlyStatus(ctx, accountId)).cash_only,
  };
}

export interface AuditEntryView {
  id: number;
  recorded_at: string;
  actor_user_id: number | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  account_id: number | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

/** One page of an account's audit history, and where the next (older) page starts. */
export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass as `before` for the next older page; null when this page reaches the oldest row. */
  next_cursor: number | null;
}

/**
 * The audit history of an account, newest first, a page at a time: rows written for it (the account, its
 * agreements, enrolments and contacts) and rows about the parties on it (edits, flags, identity reveals), since a
 * party may be on many accounts. `before` is the id of the oldest row already shown (keyset paging: rows written
 * meanwhile neither shift nor repeat a page).
 */
export async function accountHistory(
  ctx: Ctx,
  accountId: number,
  opts: { limit: number; before?: number },
): Promise<AuditPage> {
  await requireAccount(ctx.db, accountId);
  const partyIds = (await accountPartyLinks(ctx.db, accountId)).map((l) => String(l.partyId));
  const about: SQL = partyIds.length
    ? or(
        eq(auditLog.accountId, accountId),
        and(eq(auditLog.entityType, "party"), inArray(auditLog.entityId, partyIds)),
      )!
    : eq(auditLog.accountId, accountId);
  // One row more than asked says whether an older page exists without a count.
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(opts.before ? and(about, lt(auditLog.id, opts.before)) : about)
    .orderBy(desc(auditLog.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      recorded_at: isoInstant(r.recordedAt),
      actor_user_id: r.actorUserId,
      actor: r.actorName,
      action: r.action,
      entity_type: r.entityType,
      entity_id: r.entityId,
      account_id: r.accountId,
      before: r.before,
      after: r.after,
      request_id: r.requestId,
    })),
    next_cursor: rows.length > opts.limit ? page[page.length - 1]!.id : null,
  };
}
