import { keyedHash } from "../platform/crypto.js";
import { iso } from "./dates.js";
import type { ChunkRows } from "./generate.js";
import { businessName, givenName, middleInitial, surname } from "./names.js";
import { businessEmail, identityNumber, personEmail } from "./people.js";
import { type City, phoneNumber, pickCity, streetLine, unitLine, zipOf } from "./places.js";
import { type Rng, weighted } from "./random.js";
import type { SeedTable } from "./tables.js";

/** Where generated customers go: the chunk's rows, the id counters, the business date (epoch day), the data key. */
export interface Sink {
  out: ChunkRows;
  take(table: SeedTable): number;
  today: number;
  protect(value: string): { encrypted: string; hash: string };
}

/** Seals an identity number as the parties context stores it: encrypted, and a keyed hash to find duplicates. */
export const protector = (seal: (v: string) => string, key: Buffer) => (value: string) => ({
  encrypted: seal(value),
  hash: keyedHash(key, value),
});

export interface Address {
  line1: string;
  line2: string | null;
  city: string;
  state: string;
  zip: string;
}

const LANGUAGES = weighted([
  ["en", 780],
  ["es", 150],
  ["zh", 25],
  ["vi", 15],
  ["tl", 10],
  ["ko", 10],
  ["ru", 5],
  ["hy", 5],
] as const);
/** A mailing address away from the premise: a PO box, another town, or out of state. */
export function otherAddress(rng: Rng): Address {
  if (rng.chance(0.35)) {
    const city = pickCity(rng);
    return { line1: `PO Box ${rng.int(1, 9999)}`, line2: null, city: city.name, state: "CA", zip: zipOf(rng, city) };
  }
  if (rng.chance(0.2)) {
    const state = rng.pick(["NV", "OR", "AZ", "WA", "TX"]);
    return {
      line1: streetLine(rng),
      line2: null,
      city: rng.pick(["Reno", "Portland", "Phoenix", "Seattle", "Austin"]),
      state,
      zip: rng.digits(5),
    };
  }
  const city = pickCity(rng);
  return { line1: streetLine(rng), line2: unitLine(rng, 0.2), city: city.name, state: "CA", zip: zipOf(rng, city) };
}

/** A person with phones and protective flags; mailing mostly at the premise. */
export function addPerson(g: Sink, rng: Rng, lastName: string, service: Address, city: City, opened: number) {
  const id = g.take("parties");
  const female = rng.chance(0.5);
  const first = givenName(rng, female);
  const middle = middleInitial(rng);
  const age = rng.chance(0.22) ? rng.int(65, 96) : rng.int(19, 64);
  const dob = g.today - age * 365 - rng.int(0, 364);
  const email = rng.chance(0.65) ? personEmail(rng, first, lastName) : null;
  const mailing = rng.chance(0.88) ? service : otherAddress(rng);
  const r = rng.next();
  const idType = r < 0.88 ? "ssn" : r < 0.92 ? "itin" : r < 0.95 ? "drivers_license" : null;
  const ident = idType ? identityNumber(rng, idType) : null;
  const sealed = ident ? g.protect(ident.value) : null;
  const language = rng.pickWeighted(LANGUAGES);
  const thirdParty = rng.chance(0.02);
  const tpFirst = thirdParty ? givenName(rng) : null;
  g.out.parties.add(
    id,
    "person",
    first,
    middle,
    lastName,
    null,
    `${lastName}, ${first}`,
    language,
    iso(dob),
    email,
    mailing.line1,
    mailing.line2,
    mailing.city,
    mailing.state,
    mailing.zip,
    ident?.type ?? null,
    sealed?.encrypted ?? null,
    ident?.last4 ?? null,
    sealed?.hash ?? null,
    thirdParty ? `${tpFirst} ${surname(rng)}` : null,
    thirdParty ? phoneNumber(rng, city) : null,
    null,
    thirdParty ? streetLine(rng) : null,
  );
  g.out.party_phones.add(g.take("party_phones"), id, "mobile", phoneNumber(rng, city), true);
  if (rng.chance(0.3)) g.out.party_phones.add(g.take("party_phones"), id, "home", phoneNumber(rng, city), false);
  if (rng.chance(0.08)) g.out.party_phones.add(g.take("party_phones"), id, "work", phoneNumber(rng, city), false);

  // Protective flags, effective from some day of the account's life, with recertification where one applies.
  const since = () => rng.int(opened, g.today);
  let medical = false;
  if (rng.chance(age >= 65 ? 0.07 : 0.025)) {
    medical = true;
    const from = since();
    const permanent = rng.chance(0.3);
    g.out.party_flags.add(
      g.take("party_flags"),
      id,
      "medical_baseline",
      iso(from),
      null,
      permanent ? null : iso(from + 730),
      null,
    );
    if (rng.chance(0.15))
      g.out.party_flags.add(
        g.take("party_flags"),
        id,
        "life_support",
        iso(from),
        null,
        iso(from + 365),
        "Oxygen concentrator",
      );
  } else if (rng.chance(0.002)) {
    const from = since();
    g.out.party_flags.add(g.take("party_flags"), id, "life_support", iso(from), null, iso(from + 365), "Home dialysis");
  }
  if (thirdParty)
    g.out.party_flags.add(g.take("party_flags"), id, "third_party_notification", iso(since()), null, null, null);
  if (language !== "en" && rng.chance(0.3))
    g.out.party_flags.add(g.take("party_flags"), id, "language_assistance", iso(since()), null, null, null);
  if (rng.chance(0.003))
    g.out.party_flags.add(g.take("party_flags"), id, "hearing_impaired", iso(since()), null, null, null);
  return { id, email, medical, age };
}

/** A business customer named for its class of service. */
export function addBusiness(g: Sink, rng: Rng, klass: string, service: Address, city: City) {
  const id = g.take("parties");
  const name = businessName(rng, klass, city.name);
  const email = rng.chance(0.7) ? businessEmail(rng, name) : null;
  const mailing = rng.chance(0.7) ? service : otherAddress(rng);
  const ident = klass !== "street_lighting" && rng.chance(0.85) ? identityNumber(rng, "ein") : null;
  const sealed = ident ? g.protect(ident.value) : null;
  g.out.parties.add(
    id,
    "business",
    null,
    null,
    null,
    name,
    name,
    rng.chance(0.92) ? "en" : "es",
    null,
    email,
    mailing.line1,
    mailing.line2,
    mailing.city,
    mailing.state,
    mailing.zip,
    ident?.type ?? null,
    sealed?.encrypted ?? null,
    ident?.last4 ?? null,
    sealed?.hash ?? null,
    null,
    null,
    null,
    null,
  );
  g.out.party_phones.add(g.take("party_phones"), id, "work", phoneNumber(rng, city), true);
  if (rng.chance(0.3)) g.out.party_phones.add(g.take("party_phones"), id, "mobile", phoneNumber(rng, city), false);
  return { id, email };
}
