import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { phoneCandidates, prefixEnd, type SearchPlan } from "./classify.js";
import { addHit, arr, type Hits, rows } from "./hits.js";
import type { SearchResult } from "./service.js";

// Each kind of query is answered in one round trip: its parts (each on its own index) are joined by UNION ALL, and
// every part says whether it found a party or an account, and how well it matched (0..1).
interface Found {
  party_id: number | null;
  account_id: number | null;
  score: number;
}

const record = (hits: Hits, found: Found[]) => {
  for (const f of found) {
    if (f.party_id !== null) addHit(hits.parties, f.party_id, Number(f.score));
    else if (f.account_id !== null) addHit(hits.accounts, f.account_id, Number(f.score));
  }
};

/** A prefix range over a btree column, rechecked with starts_with so a collation that orders otherwise loses recall, never correctness. */
const prefixRange = (column: SQL, prefix: string): SQL => {
  const end = prefixEnd(prefix);
  return end === null
    ? sql`(${column} >= ${prefix} AND starts_with(${column}, ${prefix}))`
    : sql`(${column} >= ${prefix} AND ${column} < ${end} AND starts_with(${column}, ${prefix}))`;
};

/** Accounts served through meters whose number is (or starts with) `number`: through the agreements at the meter's service points. */
const meterPart = (number: string, limit: number) => sql`
  SELECT NULL::bigint AS party_id, sa.account_id,
         (CASE WHEN m.meter_number = ${number} THEN 0.93 ELSE 0.7 END
          + CASE WHEN mi.removed_on IS NULL THEN 0.02 ELSE 0 END
          + CASE WHEN sa.status = 'active' THEN 0.02 ELSE 0 END)::float8 AS score
    FROM (SELECT id, meter_number FROM meters WHERE ${prefixRange(sql`meter_number`, number)}
          ORDER BY meter_number LIMIT ${limit}) m
    JOIN meter_installations mi ON mi.meter_id = m.id
    JOIN service_agreements sa ON sa.service_point_id = mi.service_point_id`;

const union = (parts: SQL[]) =>
  sql.join(
    parts.map((p) => sql`(${p})`),
    sql` UNION ALL `,
  );

/** Emails: the whole address first, then addresses that start with what was typed. */
export async function emailHits(ctx: Ctx, email: string, limit: number, hits: Hits) {
  record(
    hits,
    await rows<Found>(
      ctx,
      sql`SELECT id AS party_id, NULL::bigint AS account_id,
                 (CASE WHEN lower(email) = ${email} THEN 0.97 ELSE 0.8 END)::float8 AS score
            FROM parties WHERE ${prefixRange(sql`lower(email)`, email)} LIMIT ${limit * 2}`,
    ),
  );
}

/** Digits: an account number (or its start), a phone number, an identity number's last four, a meter number. */
export async function digitHits(ctx: Ctx, digits: string, limit: number, hits: Hits) {
  const parts: SQL[] = [];
  if (digits.length >= 3 && digits.length <= 10) {
    parts.push(sql`
      SELECT NULL::bigint AS party_id, id AS account_id,
             (CASE WHEN account_number = ${digits} THEN 1 ELSE 0.6 END)::float8 AS score
        FROM accounts WHERE ${prefixRange(sql`account_number`, digits)} ORDER BY account_number LIMIT ${limit}`);
  }
  const phones = phoneCandidates(digits);
  if (phones.length) {
    parts.push(sql`
      SELECT party_id, NULL::bigint AS account_id, (CASE WHEN is_primary THEN 0.95 ELSE 0.93 END)::float8 AS score
        FROM party_phones WHERE number = ANY(${arr(phones)}::text[]) LIMIT ${limit * 2}`);
  }
  if (digits.length === 4) {
    parts.push(sql`
      SELECT id AS party_id, NULL::bigint AS account_id, 0.75::float8 AS score
        FROM parties WHERE identity_last4 = ${digits} ORDER BY id LIMIT ${limit * 2}`);
  }
  if (digits.length >= 4) parts.push(meterPart(digits, limit));
  if (parts.length) record(hits, await rows<Found>(ctx, union(parts)));
}

/** Letters and digits in one word: a meter number. */
export async function codeHits(ctx: Ctx, code: string, limit: number, hits: Hits) {
  if (code.length >= 4) record(hits, await rows<Found>(ctx, meterPart(code, limit)));
}

/** Street addresses: the house number exactly, the rest (street, unit, city) by similarity; service premises and mailing addresses. */
export async function addressHits(ctx: Ctx, plan: Extract<SearchPlan, { kind: "address" }>, limit: number, hits: Hits) {
  const cap = limit * 2;
  const street = plan.street;
  // The house number picks a few hundred addresses at most through its index; the street, unit and city rank them
  // (a caller reads out the unit and the town when the street is a common one).
  const whole = (prefix: string) => sql.raw(`lower(concat_ws(' ', ${prefix}_line1, ${prefix}_line2, ${prefix}_city))`);
  const near = (line1: string, full: SQL) =>
    sql.raw(`split_part(lower(${line1}), ' ', 1)`).append(sql` = ${plan.houseNumber}
      AND word_similarity(${street}, ${full}) >= 0.4`);
  const premise = sql.raw("lower(concat_ws(' ', address_line1, address_line2, city))");
  const found = await rows<Found>(
    ctx,
    union([
      sql`SELECT NULL::bigint AS party_id, sa.account_id,
                 (0.5 + 0.4 * p.s + CASE WHEN sa.status = 'active' THEN 0.05 ELSE 0 END)::float8 AS score
            FROM (SELECT id, word_similarity(${street}, ${premise}) AS s FROM premises
                   WHERE ${near("address_line1", premise)} ORDER BY s DESC LIMIT ${cap}) p
            JOIN service_points sp ON sp.premise_id = p.id
            JOIN service_agreements sa ON sa.service_point_id = sp.id`,
      sql`SELECT id AS party_id, NULL::bigint AS account_id,
                 (0.45 + 0.4 * word_similarity(${street}, ${whole("mailing")}))::float8 AS score
            FROM parties WHERE mailing_line1 IS NOT NULL AND ${near("mailing_line1", whole("mailing"))}
           ORDER BY score DESC LIMIT ${cap}`,
      sql`SELECT NULL::bigint AS party_id, id AS account_id,
                 (0.45 + 0.4 * word_similarity(${street}, ${whole("mailing")}))::float8 AS score
            FROM accounts WHERE mailing_line1 IS NOT NULL AND ${near("mailing_line1", whole("mailing"))}
           ORDER BY score DESC LIMIT ${cap}`,
    ]),
  );
  record(hits, found);
  if (found.length) return;
  // Nothing at that house number: the number itself may be mistyped, so match the whole line by trigrams.
  record(
    hits,
    await rows<Found>(
      ctx,
      sql`SELECT NULL::bigint AS party_id, sa.account_id, (0.3 + 0.4 * p.s)::float8 AS score
            FROM (SELECT id, similarity(lower(address_line1), ${plan.text}) AS s FROM premises
                   WHERE lower(address_line1) % ${plan.text} ORDER BY s DESC LIMIT ${cap}) p
            JOIN service_points sp ON sp.premise_id = p.id
            JOIN service_agreements sa ON sa.service_point_id = sp.id`,
    ),
  );
}

const formatAddress = (
  line1: string | null,
  line2: string | null,
  city: string | null,
  state: string | null,
  zip: string | null,
) => (line1 ? [line1, line2, city, [state, zip].filter(Boolean).join(" ")].filter(Boolean).join(", ") : null);

interface AccountRow {
  id: number;
  account_number: string;
  name: string;
  sa_line1: string | null;
  sa_line2: string | null;
  sa_city: string | null;
  sa_state: string | null;
  sa_zip: string | null;
  m_line1: string | null;
  m_line2: string | null;
  m_city: string | null;
  m_state: string | null;
  m_zip: string | null;
}

/**
 * Turns party and account hits into one result per account, best first (ties by name, then account number), with
 * the main customer's name and the service address: all in one query, the addresses read for the chosen few only.
 */
export async function toAccounts(ctx: Ctx, hits: Hits, limit: number): Promise<SearchResult[]> {
  if (!hits.parties.size && !hits.accounts.size) return [];
  const found = await rows<AccountRow>(
    ctx,
    sql`WITH hit AS (
          -- A party's accounts: the main customer's a little above a co-applicant's, an open account above a closed one.
          SELECT ap.account_id,
                 h.score + CASE WHEN ap.role = 'main' THEN 0.02 ELSE 0 END
                         + CASE WHEN a.status <> 'closed' THEN 0.01 ELSE 0 END AS score
            FROM unnest(${arr([...hits.parties.keys()])}::bigint[], ${arr([...hits.parties.values()])}::float8[])
                 AS h(party_id, score)
            JOIN account_parties ap ON ap.party_id = h.party_id
            JOIN accounts a ON a.id = ap.account_id
          UNION ALL
          SELECT account_id, score
            FROM unnest(${arr([...hits.accounts.keys()])}::bigint[], ${arr([...hits.accounts.values()])}::float8[])
                 AS h(account_id, score)),
        top AS (
          SELECT a.id, a.account_number, mp.display_name AS name, best.score,
                 coalesce(a.mailing_line1, mp.mailing_line1) AS m_line1,
                 CASE WHEN a.mailing_line1 IS NULL THEN mp.mailing_line2 ELSE a.mailing_line2 END AS m_line2,
                 CASE WHEN a.mailing_line1 IS NULL THEN mp.mailing_city ELSE a.mailing_city END AS m_city,
                 CASE WHEN a.mailing_line1 IS NULL THEN mp.mailing_state ELSE a.mailing_state END AS m_state,
                 CASE WHEN a.mailing_line1 IS NULL THEN mp.mailing_zip ELSE a.mailing_zip END AS m_zip
            FROM (SELECT account_id, max(score) AS score FROM hit GROUP BY account_id) best
            JOIN accounts a ON a.id = best.account_id
            JOIN parties mp ON mp.id = a.main_party_id
           ORDER BY best.score DESC, mp.display_name, a.account_number
           LIMIT ${limit})
        SELECT top.*, sa.address_line1 AS sa_line1, sa.address_line2 AS sa_line2, sa.city AS sa_city,
               sa.state AS sa_state, sa.zip AS sa_zip
          FROM top
          LEFT JOIN LATERAL (
                SELECT pr.address_line1, pr.address_line2, pr.city, pr.state, pr.zip
                  FROM service_agreements s
                  JOIN service_points sp ON sp.id = s.service_point_id
                  JOIN premises pr ON pr.id = sp.premise_id
                 WHERE s.account_id = top.id AND s.status = 'active'
                 ORDER BY s.start_date, s.id LIMIT 1) sa ON true
         ORDER BY top.score DESC, top.name, top.account_number`,
  );
  return found.map((r) => ({
    account_id: Number(r.id),
    account_number: r.account_number,
    name: r.name,
    service_address:
      formatAddress(r.sa_line1, r.sa_line2, r.sa_city, r.sa_state, r.sa_zip) ??
      formatAddress(r.m_line1, r.m_line2, r.m_city, r.m_state, r.m_zip),
  }));
}
