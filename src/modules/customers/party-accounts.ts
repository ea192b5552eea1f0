import { and, asc, eq, inArray } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { accountMailing, accountParties, accounts } from "../accounts/index.js";
import { type AddressView, addressOf, parties, requireParties } from "../parties/index.js";
import { premises, servicePoints } from "../premises/index.js";
import { serviceAgreements } from "../service/index.js";

/** One account a party is on, as a CSR needs it to tell accounts apart. */
export interface PartyAccount {
  id: number;
  account_id: number;
  account_number: string;
  status: string;
  customer_class: string;
  /** How the party is on the account: the main customer or a co-applicant. */
  role: "main" | "co_applicant";
  opened_on: string;
  closed_on: string | null;
  /**
   * As search shows it: the premise of the account's earliest active service agreement, else the mailing address
   * (the account's own, else its main customer's); null when there is neither.
   */
  service_address: string | null;
}

/** An address on one line, as search results print it. */
export function addressText(a: AddressView | null): string | null {
  if (!a) return null;
  return [a.line1, a.line2, a.city, [a.state, a.zip].filter(Boolean).join(" ")].filter(Boolean).join(", ");
}

const OPEN_FIRST: Record<string, number> = { active: 0, pending: 1, closed: 2 };

/**
 * The accounts a party is on (404 for an unknown party), open ones first, then the newest opened: in four queries
 * however many accounts there are. It reads the accounts, service and premises tables, which only this read model
 * may join.
 */
export async function partyAccounts(ctx: Ctx, partyId: number): Promise<PartyAccount[]> {
  await requireParties(ctx.db, [partyId], "id");
  const rows = await ctx.db
    .select({ account: accounts, role: accountParties.role })
    .from(accountParties)
    .innerJoin(accounts, eq(accounts.id, accountParties.accountId))
    .where(eq(accountParties.partyId, partyId));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.account.id);

  // The earliest active agreement's premise, per account (the rows come earliest first; the first one wins).
  const served = await ctx.db
    .select({
      accountId: serviceAgreements.accountId,
      line1: premises.addressLine1,
      line2: premises.addressLine2,
      city: premises.city,
      state: premises.state,
      zip: premises.zip,
    })
    .from(serviceAgreements)
    .innerJoin(servicePoints, eq(servicePoints.id, serviceAgreements.servicePointId))
    .innerJoin(premises, eq(premises.id, servicePoints.premiseId))
    .where(and(inArray(serviceAgreements.accountId, ids), eq(serviceAgreements.status, "active")))
    .orderBy(asc(serviceAgreements.startDate), asc(serviceAgreements.id));
  const premiseOf = new Map<number, AddressView | null>();
  for (const s of served) if (!premiseOf.has(s.accountId)) premiseOf.set(s.accountId, addressOf(s));

  // Main customers' mailing addresses, only for accounts with neither service nor an address of their own.
  const needMain = rows
    .filter((r) => !premiseOf.has(r.account.id) && !accountMailing(r.account))
    .map((r) => r.account.mainPartyId);
  const mains = needMain.length
    ? await ctx.db
        .select({
          id: parties.id,
          line1: parties.mailingLine1,
          line2: parties.mailingLine2,
          city: parties.mailingCity,
          state: parties.mailingState,
          zip: parties.mailingZip,
        })
        .from(parties)
        .where(inArray(parties.id, [...new Set(needMain)]))
    : [];
  const mailingOf = new Map(mains.map((m) => [m.id, addressOf(m)]));

  return rows
    .map(({ account: a, role }) => ({
      id: a.id,
      account_id: a.id,
      account_number: a.accountNumber,
      status: a.status,
      customer_class: a.customerClass,
      role: role === "main" ? ("main" as const) : ("co_applicant" as const),
      opened_on: a.openedOn,
      closed_on: a.closedOn,
      service_address: addressText(premiseOf.get(a.id) ?? accountMailing(a) ?? mailingOf.get(a.mainPartyId) ?? null),
    }))
    .sort(
      (x, y) =>
        (OPEN_FIRST[x.status] ?? 1) - (OPEN_FIRST[y.status] ?? 1) ||
        y.opened_on.localeCompare(x.opened_on) ||
        y.id - x.id,
    );
}
