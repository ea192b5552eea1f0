import { randomInt } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { randomAccountNumber } from "../../core/account-number.js";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, inTx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { badRequest, notFound, Problem, ruleRefused, staleVersion } from "../../platform/errors.js";
import { type AddressView, addressOf, requireParties } from "../parties/index.js";
import type { AccountChange, AccountInput } from "./inputs.js";
import { accountParties, accounts } from "./schema.js";

export type AccountRow = typeof accounts.$inferSelect;
type LinkRow = typeof accountParties.$inferSelect;

/** An account as its own resource (the account view adds the customer, service and contacts). */
export interface AccountResource {
  id: number;
  account_number: string;
  status: string;
  customer_class: string;
  main_party_id: number;
  co_applicant_ids: number[];
  /** The account's own mailing address; null when bills go to the main customer's. */
  mailing_address: AddressView | null;
  notice_channel: string;
  bill_cycle: string;
  opened_on: string;
  closed_on: string | null;
  version: number;
  created_at: string;
}

export const accountResource = (a: AccountRow, links: LinkRow[]): AccountResource => ({
  id: a.id,
  account_number: a.accountNumber,
  status: a.status,
  customer_class: a.customerClass,
  main_party_id: a.mainPartyId,
  co_applicant_ids: links.filter((l) => l.role === "co_applicant").map((l) => l.partyId),
  mailing_address: accountMailing(a),
  notice_channel: a.noticeChannel,
  bill_cycle: a.billCycle,
  opened_on: a.openedOn,
  closed_on: a.closedOn,
  version: a.version,
  created_at: isoInstant(a.createdAt),
});

/** The account's own mailing address, if it has one. */
export const accountMailing = (a: AccountRow) =>
  addressOf({
    line1: a.mailingLine1,
    line2: a.mailingLine2,
    city: a.mailingCity,
    state: a.mailingState,
    zip: a.mailingZip,
  });

const mailingColumns = (m: AccountInput["mailing_address"]) => ({
  mailingLine1: m?.line1 ?? null,
  mailingLine2: m?.line2 ?? null,
  mailingCity: m?.city ?? null,
  mailingState: m?.state ?? null,
  mailingZip: m?.zip ?? null,
});

/** The account row, or 404 naming `field`; `forUpdate` locks it for the rest of the transaction. */
export async function requireAccount(db: Db, id: number, field = "id", forUpdate = false): Promise<AccountRow> {
  const query = db.select().from(accounts).where(eq(accounts.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`account ${id}`, field);
  return row;
}

/** Who is on an account: the main customer first, then co-applicants in the order added. */
export async function accountPartyLinks(db: Db, accountId: number): Promise<LinkRow[]> {
  const rows = await db.select().from(accountParties).where(eq(accountParties.accountId, accountId));
  return rows.sort((a, b) => (a.role === "main" ? -1 : b.role === "main" ? 1 : a.addedOn.localeCompare(b.addedOn)));
}

/** A fresh account number: random, so numbers say nothing about volume, and checked against those in use. */
async function newAccountNumber(db: Db): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = randomAccountNumber(randomInt);
    const [taken] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.accountNumber, candidate));
    if (!taken) return candidate;
  }
  throw new Problem(503, "Service unavailable", "no free account number was found; try again");
}

/** Checks the parties of an account: they exist, no one twice, and email notices need an email address. */
async function checkParties(
  db: Db,
  mainId: number,
  coIds: readonly number[],
  noticeChannel: string,
  fields: { main: string; co: string },
) {
  if (coIds.includes(mainId)) {
    throw badRequest("the main customer cannot also be a co-applicant", [
      { field: fields.co, message: "includes the main customer" },
    ]);
  }
  if (new Set(coIds).size !== coIds.length) {
    throw badRequest("a co-applicant is listed twice", [{ field: fields.co, message: "listed twice" }]);
  }
  const main = (await requireParties(db, [mainId], fields.main)).get(mainId)!;
  await requireParties(db, coIds, fields.co);
  if (noticeChannel === "email" && !main.email) {
    throw ruleRefused(
      "account.email_notice_needs_email",
      "notices by email need an email address on the main customer",
      {
        errors: [{ field: "notice_channel", message: "the main customer has no email address" }],
      },
    );
  }
}

/** Opens an account with a new Luhn-checked account number, its main customer and co-applicants. */
export async function createAccount(ctx: Ctx, input: AccountInput): Promise<AccountResource> {
  const today = ctx.clock.today().toString();
  const coIds = input.co_applicant_ids ?? [];
  const channel = input.notice_channel ?? "mail";
  return inTx(ctx, async (tx) => {
    await checkParties(tx.db, input.main_party_id, coIds, channel, { main: "main_party_id", co: "co_applicant_ids" });
    const openedOn = input.opened_on ?? today;
    const [row] = await tx.db
      .insert(accounts)
      .values({
        accountNumber: await newAccountNumber(tx.db),
        status: input.status ?? "active",
        customerClass: input.customer_class ?? "residential",
        mainPartyId: input.main_party_id,
        ...mailingColumns(input.mailing_address),
        noticeChannel: channel,
        billCycle: input.bill_cycle,
        openedOn,
      })
      .returning();
    const links = await tx.db
      .insert(accountParties)
      .values([
        { accountId: row!.id, partyId: input.main_party_id, role: "main", addedOn: openedOn },
        ...coIds.map((partyId) => ({ accountId: row!.id, partyId, role: "co_applicant", addedOn: openedOn })),
      ])
      .returning();
    const resource = accountResource(row!, links);
    await audit(tx, {
      action: "account.create",
      entityType: "account",
      entityId: row!.id,
      accountId: row!.id,
      after: resource,
    });
    return resource;
  });
}

/** One account as its own resource. */
export async function getAccount(ctx: Ctx, id: number): Promise<AccountResource> {
  const row = await requireAccount(ctx.db, id);
  return accountResource(row, await accountPartyLinks(ctx.db, id));
}

/** Edits an account with the version read: status, class, cycle, notices, mailing address, who is on it. */
export async function updateAccount(ctx: Ctx, id: number, change: AccountChange): Promise<AccountResource> {
  const today = ctx.clock.today().toString();
  return inTx(ctx, async (tx) => {
    const row = await requireAccount(tx.db, id, "id", true);
    const links = await accountPartyLinks(tx.db, id);
    const before = accountResource(row, links);
    if (row.version !== change.version) throw staleVersion(`account ${row.accountNumber}`, before);
    const mainId = change.main_party_id ?? row.mainPartyId;
    const coIds = change.co_applicant_ids ?? before.co_applicant_ids.filter((p) => p !== mainId);
    const channel = change.notice_channel ?? row.noticeChannel;
    if (change.main_party_id !== undefined || change.co_applicant_ids !== undefined || channel !== row.noticeChannel) {
      await checkParties(tx.db, mainId, coIds, channel, { main: "main_party_id", co: "co_applicant_ids" });
    }
    const status = change.status ?? row.status;
    const [after] = await tx.db
      .update(accounts)
      .set({
        status,
        customerClass: change.customer_class ?? row.customerClass,
        mainPartyId: mainId,
        noticeChannel: channel,
        billCycle: change.bill_cycle ?? row.billCycle,
        ...(change.mailing_address === undefined ? {} : mailingColumns(change.mailing_address)),
        closedOn: status === "closed" ? (row.closedOn ?? today) : null,
        version: row.version + 1,
      })
      .where(eq(accounts.id, id))
      .returning();
    let nextLinks = links;
    if (mainId !== row.mainPartyId || change.co_applicant_ids !== undefined) {
      // Who stays keeps the date they were added; who is new is added today.
      const added = new Map(links.map((l) => [l.partyId, l.addedOn]));
      await tx.db.delete(accountParties).where(eq(accountParties.accountId, id));
      nextLinks = await tx.db
        .insert(accountParties)
        .values([
          { accountId: id, partyId: mainId, role: "main", addedOn: added.get(mainId) ?? today },
          ...coIds.map((partyId) => ({
            accountId: id,
            partyId,
            role: "co_applicant",
            addedOn: added.get(partyId) ?? today,
          })),
        ])
        .returning();
    }
    const resource = accountResource(after!, nextLinks);
    await audit(tx, {
      action: "account.update",
      entityType: "account",
      entityId: id,
      accountId: id,
      before,
      after: resource,
    });
    return resource;
  });
}

/** The ids of the parties on an account (for the account's audit history and other contexts' checks). */
export async function partyIdsOnAccount(db: Db, accountId: number): Promise<number[]> {
  return (await accountPartyLinks(db, accountId)).map((l) => l.partyId);
}

/** Whether a party is on an account. */
export async function isPartyOnAccount(db: Db, accountId: number, partyId: number): Promise<boolean> {
  const rows = await db
    .select({ partyId: accountParties.partyId })
    .from(accountParties)
    .where(and(eq(accountParties.accountId, accountId), eq(accountParties.partyId, partyId)));
  return rows.length > 0;
}
