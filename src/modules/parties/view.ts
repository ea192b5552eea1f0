import { asc, desc, inArray } from "drizzle-orm";
import { isSeniorOn } from "../../core/age.js";
import { maskIdentity } from "../../core/identity-number.js";
import { isoInstant } from "../../platform/clock.js";
import type { Db } from "../../platform/db.js";
import { parties, partyFlags, partyPhones } from "./schema.js";

export type PartyRow = typeof parties.$inferSelect;
type PhoneRow = typeof partyPhones.$inferSelect;
type FlagRow = typeof partyFlags.$inferSelect;

export interface AddressView {
  line1: string;
  line2: string | null;
  city: string;
  state: string;
  zip: string;
}

export interface FlagView {
  id: number;
  flag: string;
  effective_from: string;
  effective_to: string | null;
  recertify_by: string | null;
  note: string | null;
  /** In force today. */
  active: boolean;
  /** The recertification date has come. */
  recertification_due: boolean;
  version: number;
}

/** A customer as the API shows it: the identity number only masked. */
export interface PartyView {
  id: number;
  kind: "person" | "business";
  display_name: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  business_name: string | null;
  language: string;
  date_of_birth: string | null;
  /** Derived from the birth date and the business clock's today; null when the birth date is not known. */
  age_65_plus: boolean | null;
  email: string | null;
  phones: { id: number; label: string; number: string; primary: boolean }[];
  mailing_address: AddressView | null;
  identity_type: string | null;
  identity_masked: string | null;
  third_party: { name: string; phone: string | null; email: string | null; address: string | null } | null;
  flags: FlagView[];
  possible_duplicate_ids: number[];
  version: number;
  created_at: string;
}

/** An address from its columns, or null when there is none. */
export function addressOf(c: {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
}): AddressView | null {
  if (!c.line1) return null;
  return { line1: c.line1, line2: c.line2, city: c.city ?? "", state: c.state ?? "", zip: c.zip ?? "" };
}

export function flagView(f: FlagRow, today: string): FlagView {
  return {
    id: f.id,
    flag: f.flag,
    effective_from: f.effectiveFrom,
    effective_to: f.effectiveTo,
    recertify_by: f.recertifyBy,
    note: f.note,
    active: f.effectiveFrom <= today && (f.effectiveTo === null || f.effectiveTo >= today),
    recertification_due: f.recertifyBy !== null && f.recertifyBy <= today,
    version: f.version,
  };
}

export function partyView(p: PartyRow, phones: PhoneRow[], flags: FlagRow[], today: string): PartyView {
  return {
    id: p.id,
    kind: p.kind,
    display_name: p.displayName,
    first_name: p.firstName,
    middle_name: p.middleName,
    last_name: p.lastName,
    business_name: p.businessName,
    language: p.language,
    date_of_birth: p.dateOfBirth,
    age_65_plus: p.dateOfBirth ? isSeniorOn(p.dateOfBirth, today) : null,
    email: p.email,
    phones: phones.map((ph) => ({ id: ph.id, label: ph.label, number: ph.number, primary: ph.isPrimary })),
    mailing_address: addressOf({
      line1: p.mailingLine1,
      line2: p.mailingLine2,
      city: p.mailingCity,
      state: p.mailingState,
      zip: p.mailingZip,
    }),
    identity_type: p.identityType,
    identity_masked: p.identityType && p.identityLast4 ? maskIdentity(p.identityType, p.identityLast4) : null,
    third_party: p.thirdPartyName
      ? {
          name: p.thirdPartyName,
          phone: p.thirdPartyPhone,
          email: p.thirdPartyEmail,
          address: p.thirdPartyAddress,
        }
      : null,
    flags: flags.map((f) => flagView(f, today)),
    possible_duplicate_ids: p.possibleDuplicateIds,
    version: p.version,
    created_at: isoInstant(p.createdAt),
  };
}

/** The views of many parties in three queries, whatever their number (rows keyed by id). */
export async function loadPartyViews(db: Db, ids: readonly number[], today: string): Promise<Map<number, PartyView>> {
  const out = new Map<number, PartyView>();
  if (ids.length === 0) return out;
  const unique = [...new Set(ids)];
  const [rows, phones, flags] = [
    await db.select().from(parties).where(inArray(parties.id, unique)),
    await db
      .select()
      .from(partyPhones)
      .where(inArray(partyPhones.partyId, unique))
      .orderBy(desc(partyPhones.isPrimary), asc(partyPhones.id)),
    await db
      .select()
      .from(partyFlags)
      .where(inArray(partyFlags.partyId, unique))
      .orderBy(desc(partyFlags.effectiveFrom), asc(partyFlags.id)),
  ];
  for (const row of rows) {
    out.set(
      row.id,
      partyView(
        row,
        phones.filter((p) => p.partyId === row.id),
        flags.filter((f) => f.partyId === row.id),
        today,
      ),
    );
  }
  return out;
}
