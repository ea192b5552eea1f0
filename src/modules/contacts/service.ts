import { desc, eq } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, inTx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { badRequest } from "../../platform/errors.js";
import { isPartyOnAccount, requireAccount } from "../accounts/index.js";
import type { ContactInput } from "./inputs.js";
import { contacts } from "./schema.js";

type ContactRow = typeof contacts.$inferSelect;

/** A logged contact as the API shows it. */
export interface ContactView {
  id: number;
  account_id: number;
  party_id: number | null;
  channel: string;
  reason_code: string;
  /** Exactly as typed: clients must show it as text, never as markup. */
  notes: string;
  outcome: string;
  user_id: number | null;
  username: string;
  occurred_at: string;
  recorded_at: string;
}

export const contactView = (c: ContactRow): ContactView => ({
  id: c.id,
  account_id: c.accountId,
  party_id: c.partyId,
  channel: c.channel,
  reason_code: c.reasonCode,
  notes: c.notes,
  outcome: c.outcome,
  user_id: c.userId,
  username: c.username,
  occurred_at: isoInstant(c.occurredAt),
  recorded_at: isoInstant(c.recordedAt),
});

/** Logs a contact on an account: who is the signed-in user, when is now unless given. */
export async function logContact(ctx: Ctx, accountId: number, input: ContactInput): Promise<ContactView> {
  const now = ctx.clock.now();
  let occurredAt = now.toString();
  if (input.occurred_at) {
    const at = Date.parse(input.occurred_at);
    if (at > now.epochMilliseconds) {
      throw badRequest("a contact cannot have happened in the future", [
        { field: "occurred_at", message: "after now" },
      ]);
    }
    occurredAt = new Date(at).toISOString();
  }
  return inTx(ctx, async (tx) => {
    await requireAccount(tx.db, accountId);
    if (input.party_id != null && !(await isPartyOnAccount(tx.db, accountId, input.party_id))) {
      throw badRequest("the party is not on this account", [{ field: "party_id", message: "not on the account" }]);
    }
    const [row] = await tx.db
      .insert(contacts)
      .values({
        accountId,
        partyId: input.party_id ?? null,
        channel: input.channel,
        reasonCode: input.reason_code,
        notes: input.notes ?? "",
        outcome: input.outcome,
        userId: ctx.actor.userId,
        username: ctx.actor.username,
        occurredAt,
      })
      .returning();
    const view = contactView(row!);
    await audit(tx, { action: "contact.create", entityType: "contact", entityId: row!.id, accountId, after: view });
    return view;
  });
}

/** The latest contacts of an account, newest first. */
export async function recentContacts(db: Db, accountId: number, limit: number): Promise<ContactView[]> {
  const rows = await db
    .select()
    .from(contacts)
    .where(eq(contacts.accountId, accountId))
    .orderBy(desc(contacts.occurredAt), desc(contacts.id))
    .limit(limit);
  return rows.map(contactView);
}

/** The contact log of an account, newest first (404 for an unknown account). */
export async function listContacts(ctx: Ctx, accountId: number, limit: number): Promise<ContactView[]> {
  await requireAccount(ctx.db, accountId);
  return recentContacts(ctx.db, accountId, limit);
}
