import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import type { Place } from "./classify.js";
import { addHit, type Hits, rows } from "./hits.js";
import {
  BUSINESS,
  BUSINESS_BAR,
  FIRST_UNKNOWN,
  MIN_FUZZY,
  type NamePlan,
  ONE_EDIT,
  readingsOf,
  SOUNDS_LIKE,
  spellingsOf,
} from "./names.js";

// How much an address's street words (when given) weigh beside the name.
const STREET_WEIGHT = 0.15;
// At most this many people are read at one house number (a two-digit number is shared by a few hundred addresses).
const MAX_AT_PLACE = 5000;

/** A customer found at the house number, with what is needed to score the name. */
interface AtPlace {
  account_id: number;
  role: string;
  kind: string;
  last: string | null;
  first: string | null;
  business: number;
  street: number;
  [sounds: `sounds${number}`]: boolean;
}

const houseNumberIs = (column: SQL, place: Place) => sql`split_part(lower(${column}), ' ', 1) = ${place.houseNumber}`;

/** The columns every lookup returns about the customer `p` and the address line `line`. */
function columns(plan: NamePlan, place: Place, line: SQL) {
  const sounds = readingsOf(plan).map(
    (r, i) =>
      sql`coalesce(dmetaphone(lower(p.last_name)) = dmetaphone(${r.last}), false) AS ${sql.identifier(`sounds${i}`)}`,
  );
  return sql`ap.account_id, ap.role, p.kind, lower(p.last_name) AS last, lower(p.first_name) AS first,
    CASE WHEN p.kind = 'business' THEN strict_word_similarity(${plan.text}, lower(p.display_name)) ELSE 0 END::float8
      AS business,
    ${sql.join(sounds, sql`, `)},
    ${place.street ? sql`word_similarity(${place.street}, lower(${line}))` : sql`1`}::float8 AS street`;
}

/**
 * Customers whose own mailing address has the house number and whose name may be the one typed: most customers get
 * their mail at the premise, and the name is checked before their accounts are read, so this is the cheap first look.
 */
function byCustomerMailing(plan: NamePlan, place: Place): SQL {
  // A cheap sieve (two edits, which a swap of neighbours is to Levenshtein, or the same sound); the scorer is exact.
  const mayBe = readingsOf(plan).map(
    (r) =>
      sql`levenshtein_less_equal(lower(p.last_name), ${r.last}, 2) <= 2
          OR dmetaphone(lower(p.last_name)) = dmetaphone(${r.last})`,
  );
  return sql`SELECT ${columns(plan, place, sql`concat_ws(' ', p.mailing_line1, p.mailing_line2, p.mailing_city)`)}
    FROM parties p JOIN account_parties ap ON ap.party_id = p.id
   WHERE p.mailing_line1 IS NOT NULL AND ${houseNumberIs(sql`p.mailing_line1`, place)}
     AND (p.kind = 'business' OR ${sql.join(mayBe, sql` OR `)})
   LIMIT ${MAX_AT_PLACE}`;
}

/** Every customer of the accounts served at the house number, or mailed there by account: the thorough look. */
function byPremiseOrAccountMailing(plan: NamePlan, place: Place): SQL {
  return sql`WITH at AS (
      SELECT sa.account_id, concat_ws(' ', pr.address_line1, pr.address_line2, pr.city) AS line FROM premises pr
        JOIN service_points sp ON sp.premise_id = pr.id
        JOIN service_agreements sa ON sa.service_point_id = sp.id
       WHERE ${houseNumberIs(sql`pr.address_line1`, place)}
      UNION ALL
      SELECT id, concat_ws(' ', mailing_line1, mailing_line2, mailing_city) FROM accounts
       WHERE mailing_line1 IS NOT NULL AND ${houseNumberIs(sql`mailing_line1`, place)})
    SELECT ${columns(plan, place, sql`at.line`)}
      FROM at
      JOIN account_parties ap ON ap.account_id = at.account_id
      JOIN parties p ON p.id = ap.party_id
     LIMIT ${MAX_AT_PLACE}`;
}

/** Scores a customer's name against what was typed (0 = not at all), under either reading of the words. */
function nameScorer(plan: NamePlan): (f: AtPlace) => number {
  // Every spelling one edit away, worked out once per query (hundreds of strings), not once per customer.
  const readings = readingsOf(plan).map((r) => ({
    last: spellingsOf(r.last, MIN_FUZZY),
    first: r.first === null ? null : spellingsOf(r.first, MIN_FUZZY),
  }));
  return (f) => {
    if (f.kind === "business") return Number(f.business) >= BUSINESS_BAR ? BUSINESS * Number(f.business) : 0;
    let best = 0;
    readings.forEach((r, i) => {
      const surname = r.last.get(f.last ?? "") ?? (f[`sounds${i}`] ? SOUNDS_LIKE : 0);
      if (!surname) return;
      const given = r.first ? 0.55 * surname + 0.45 * (r.first.get(f.first ?? "") ?? 0) : FIRST_UNKNOWN * surname;
      best = Math.max(best, given);
    });
    return best;
  };
}

/**
 * The accounts at a house number (service premise, account mailing address or customer mailing address) whose
 * customer's name matches: the few hundred addresses with that number come through their indexes and names are
 * matched among them exactly, one edit away or by sound. Customers mailed at the number are looked at first; the
 * premises only when none of them has the name typed. Returns how many accounts matched.
 */
export async function namedAtPlace(ctx: Ctx, plan: NamePlan, place: Place, hits: Hits): Promise<number> {
  // The name as a whole (both names typed, each at most one edit away) is a confident match.
  const confident = 0.55 * ONE_EDIT + 0.45 * ONE_EDIT;
  const nameScore = nameScorer(plan);
  let found = await rows<AtPlace>(ctx, byCustomerMailing(plan, place));
  if (!found.some((f) => nameScore(f) >= confident))
    found = found.concat(await rows<AtPlace>(ctx, byPremiseOrAccountMailing(plan, place)));
  let matched = 0;
  for (const f of found) {
    const score = nameScore(f);
    if (!score) continue;
    addHit(
      hits.accounts,
      f.account_id,
      (1 - STREET_WEIGHT + STREET_WEIGHT * Number(f.street)) * score + (f.role === "main" ? 0.01 : 0),
    );
    matched++;
  }
  return matched;
}
