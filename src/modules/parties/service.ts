import { and, eq, inArray, or, sql } from "drizzle-orm";
import { formatIdentity, lastFour, normaliseIdentityNumber } from "../../core/identity-number.js";
import { toE164 } from "../../core/phone.js";
import { audit, redact } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { decryptField, encryptField, keyedHash } from "../../platform/crypto.js";
import type { Db } from "../../platform/db.js";
import { badRequest, notFound, staleVersion } from "../../platform/errors.js";
import { insertFlags } from "./flags.js";
import type { PartyChange, PartyInput } from "./inputs.js";
import { parties, partyPhones } from "./schema.js";
import { loadPartyViews, type PartyRow, type PartyView } from "./view.js";

// The audit trail records that the identity number changed, never the number, its ciphertext or its hash.
const SENSITIVE = ["identity_number"] as const;
const auditable = (view: PartyView, row: PartyRow) => {
  const { identity_masked: _masked, ...rest } = view;
  return { ...rest, identity_number: row.identityHash };
};

const today = (ctx: Ctx) => ctx.clock.today().toString();

/** The encrypted, last-four and keyed-hash columns of an identity number (all null to clear it). */
function identityColumns(key: Buffer, identity: PartyInput["identity"]) {
  if (!identity) return { identityType: null, identityEncrypted: null, identityLast4: null, identityHash: null };
  const checked = normaliseIdentityNumber(identity.type, identity.number);
  if (checked.error !== undefined)
    throw badRequest("the identity number is not valid", [{ field: "identity.number", message: checked.error }]);
  return {
    identityType: identity.type,
    identityEncrypted: encryptField(key, checked.value),
    identityLast4: lastFour(checked.value),
    identityHash: keyedHash(key, checked.value),
  };
}

type NameFields = Pick<PartyRow, "kind" | "firstName" | "lastName" | "businessName" | "dateOfBirth">;

/** What the database cannot check: a person's names, a business's name, a plausible birth date. */
function checkParty(p: NameFields, onDate: string) {
  const need = p.kind === "person" ? (["firstName", "lastName"] as const) : (["businessName"] as const);
  const errors = need
    .filter((f) => !p[f])
    .map((f) => ({ field: f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), message: `a ${p.kind} needs it` }));
  if (p.dateOfBirth && (p.dateOfBirth > onDate || p.dateOfBirth < "1900-01-01")) {
    errors.push({ field: "date_of_birth", message: "must be between 1900-01-01 and today" });
  }
  if (errors.length) throw badRequest(`the ${p.kind} is not valid`, errors);
}

const displayName = (p: NameFields) => (p.kind === "business" ? p.businessName! : `${p.lastName}, ${p.firstName}`);

function phoneE164(value: string, field: string): string {
  const e164 = toE164(value);
  if (!e164) throw badRequest("a phone number is not valid", [{ field, message: "not a US phone number" }]);
  return e164;
}

/** Phone rows for a party: E.164, no number twice, exactly one primary (the first unless one is marked). */
function phoneRows(partyId: number, phones: NonNullable<PartyInput["phones"]>) {
  const numbers = phones.map((p, i) => phoneE164(p.number, `phones.${i}.number`));
  const dup = numbers.findIndex((n, i) => numbers.indexOf(n) !== i);
  if (dup >= 0)
    throw badRequest("a phone number is listed twice", [{ field: `phones.${dup}.number`, message: "listed twice" }]);
  const marked = phones.filter((p) => p.primary).length;
  if (marked > 1) throw badRequest("only one phone can be primary", [{ field: "phones", message: "only one primary" }]);
  const primaryAt = marked ? phones.findIndex((p) => p.primary) : 0;
  return phones.map((p, i) => ({
    partyId,
    label: p.label ?? "mobile",
    number: numbers[i]!,
    isPrimary: i === primaryAt,
  }));
}

const mailingColumns = (a: PartyInput["mailing_address"]) => ({
  mailingLine1: a?.line1 ?? null,
  mailingLine2: a?.line2 ?? null,
  mailingCity: a?.city ?? null,
  mailingState: a?.state ?? null,
  mailingZip: a?.zip ?? null,
});

const thirdPartyColumns = (t: PartyInput["third_party"]) => ({
  thirdPartyName: t?.name ?? null,
  thirdPartyPhone: t?.phone ? phoneE164(t.phone, "third_party.phone") : null,
  thirdPartyEmail: t?.email ?? null,
  thirdPartyAddress: t?.address ?? null,
});

/** Parties a new one may duplicate: the same identity number, or (persons) the same last and first name and birth date. */
async function findDuplicates(db: Db, p: NameFields & { identityHash: string | null }): Promise<number[]> {
  const same = [];
  if (p.identityHash) same.push(eq(parties.identityHash, p.identityHash));
  if (p.kind === "person" && p.firstName && p.lastName && p.dateOfBirth) {
    same.push(
      and(
        sql`lower(${parties.lastName}) = lower(${p.lastName})`,
        sql`lower(${parties.firstName}) = lower(${p.firstName})`,
        eq(parties.dateOfBirth, p.dateOfBirth),
      ),
    );
  }
  if (same.length === 0) return [];
  const rows = await db
    .select({ id: parties.id })
    .from(parties)
    .where(or(...same))
    .orderBy(parties.id)
    .limit(20);
  return rows.map((r) => r.id);
}

async function viewOf(db: Db, id: number, onDate: string): Promise<PartyView> {
  const view = (await loadPartyViews(db, [id], onDate)).get(id);
  if (!view) throw notFound(`party ${id}`, "id");
  return view;
}

/** Creates a person or business; a possible duplicate is created all the same, and named in possible_duplicate_ids. */
export async function createParty(ctx: Ctx, input: PartyInput): Promise<PartyView> {
  const onDate = today(ctx);
  const names: NameFields = {
    kind: input.kind,
    firstName: input.first_name ?? null,
    lastName: input.last_name ?? null,
    businessName: input.business_name ?? null,
    dateOfBirth: input.date_of_birth ?? null,
  };
  checkParty(names, onDate);
  const identity = identityColumns(ctx.config.dataKey, input.identity);
  const phones = phoneRows(0, input.phones ?? []);
  const third = thirdPartyColumns(input.third_party);
  return inTx(ctx, async (tx) => {
    const duplicates = await findDuplicates(tx.db, { ...names, identityHash: identity.identityHash });
    const [row] = await tx.db
      .insert(parties)
      .values({
        ...names,
        middleName: input.kind === "person" ? (input.middle_name ?? null) : null,
        displayName: displayName(names),
        language: input.language ?? "en",
        email: input.email ?? null,
        ...mailingColumns(input.mailing_address),
        ...identity,
        ...third,
        possibleDuplicateIds: duplicates,
      })
      .returning();
    if (phones.length) await tx.db.insert(partyPhones).values(phones.map((p) => ({ ...p, partyId: row!.id })));
    await insertFlags(tx.db, row!.id, input.flags ?? []);
    const view = await viewOf(tx.db, row!.id, onDate);
    await audit(tx, {
      action: "party.create",
      entityType: "party",
      entityId: row!.id,
      after: redact(null, auditable(view, row!), SENSITIVE).after,
    });
    return view;
  });
}

/** One party, identity masked. */
export const getParty = (ctx: Ctx, id: number) => viewOf(ctx.db, id, today(ctx));

/** Many parties in a few queries, in the order asked (unknown ids are left out). */
export async function getParties(ctx: Ctx, ids: readonly number[]): Promise<PartyView[]> {
  const views = await loadPartyViews(ctx.db, ids, today(ctx));
  return ids.flatMap((id) => views.get(id) ?? []);
}

/** Locks a party row for an edit and checks the version read; 404 and 409 as the contract says. */
export async function lockParty(ctx: Ctx, id: number, version: number): Promise<PartyRow> {
  const [row] = await ctx.db.select().from(parties).where(eq(parties.id, id)).for("update");
  if (!row) throw notFound(`party ${id}`, "id");
  if (row.version !== version) throw staleVersion(`party ${id}`, await viewOf(ctx.db, id, today(ctx)));
  return row;
}

/** Edits a party with the version read; phones, when given, replace the list; identity null removes it. */
export async function updateParty(ctx: Ctx, id: number, change: PartyChange): Promise<PartyView> {
  const onDate = today(ctx);
  return inTx(ctx, async (tx) => {
    const row = await lockParty(tx, id, change.version);
    const before = await viewOf(tx.db, id, onDate);
    const pick = <K extends keyof PartyChange, V>(k: K, current: V) =>
      change[k] === undefined ? current : ((change[k] ?? null) as V);
    const names: NameFields = {
      kind: row.kind,
      firstName: pick("first_name", row.firstName),
      lastName: pick("last_name", row.lastName),
      businessName: pick("business_name", row.businessName),
      dateOfBirth: pick("date_of_birth", row.dateOfBirth),
    };
    checkParty(names, onDate);
    const identity = change.identity === undefined ? {} : identityColumns(ctx.config.dataKey, change.identity);
    const phones = change.phones === undefined ? undefined : phoneRows(id, change.phones);
    const [after] = await tx.db
      .update(parties)
      .set({
        ...names,
        middleName: pick("middle_name", row.middleName),
        displayName: displayName(names),
        language: change.language ?? row.language,
        email: pick("email", row.email),
        ...(change.mailing_address === undefined ? {} : mailingColumns(change.mailing_address)),
        ...identity,
        ...(change.third_party === undefined ? {} : thirdPartyColumns(change.third_party)),
        version: row.version + 1,
      })
      .where(eq(parties.id, id))
      .returning();
    if (phones) {
      await tx.db.delete(partyPhones).where(eq(partyPhones.partyId, id));
      if (phones.length) await tx.db.insert(partyPhones).values(phones);
    }
    const view = await viewOf(tx.db, id, onDate);
    const trail = redact(auditable(before, row), auditable(view, after!), SENSITIVE);
    await audit(tx, { action: "party.update", entityType: "party", entityId: id, ...trail });
    return view;
  });
}

/** The full identity number of a party, for a caller with the permission; every reveal is audited (never the number). */
export async function revealIdentity(
  ctx: Ctx,
  id: number,
): Promise<{ party_id: number; identity_type: string; identity_number: string }> {
  return inTx(ctx, async (tx) => {
    const [row] = await tx.db
      .select({ type: parties.identityType, sealed: parties.identityEncrypted })
      .from(parties)
      .where(eq(parties.id, id));
    if (!row) throw notFound(`party ${id}`, "id");
    if (!row.type || !row.sealed) throw notFound(`an identity number of party ${id}`);
    const number = formatIdentity(row.type, decryptField(ctx.config.dataKey, row.sealed));
    await audit(tx, {
      action: "party.identity_revealed",
      entityType: "party",
      entityId: id,
      after: { identity_type: row.type },
    });
    return { party_id: id, identity_type: row.type, identity_number: number };
  });
}

/** Names and emails of parties, for other contexts' checks; throws 404 naming `field` when one does not exist. */
export async function requireParties(
  db: Db,
  ids: readonly number[],
  field: string,
): Promise<Map<number, { id: number; kind: string; displayName: string; email: string | null }>> {
  const unique = [...new Set(ids)];
  const rows = unique.length
    ? await db
        .select({ id: parties.id, kind: parties.kind, displayName: parties.displayName, email: parties.email })
        .from(parties)
        .where(inArray(parties.id, unique))
    : [];
  const found = new Map(rows.map((r) => [r.id, r]));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) throw notFound(`party ${missing.join(", ")}`, field);
  return found;
}
