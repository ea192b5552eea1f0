import { type SQL, sql } from "drizzle-orm";
import { type Ctx, inTx } from "../../platform/context.js";
import { oneEditAway, prefixEnd, type SearchPlan } from "./classify.js";
import { addHit, arr, type Hits, rows } from "./hits.js";

// How a name matched: exactly, one edit away (a letter dropped, swapped, wrong or extra), or only by sound.
export const EXACT = 1;
export const ONE_EDIT = 0.8;
export const SOUNDS_LIKE = 0.65;
// Names shorter than this are matched exactly (or by sound): one edit from "li" is half the short names in the book.
export const MIN_FUZZY = 3;
// A business name's best score stays under an exact surname's, so "smith" lists the Smiths before Smith Plumbing.
export const BUSINESS = 0.88;
// How like a whole word of a business name the typed words must be.
export const BUSINESS_BAR = 0.6;
// A surname that only starts with what was typed (the CSR is still typing) ranks below a misspelling.
const PREFIX = 0.6;
// Prefixes shorter than this match too many surnames to be worth showing.
const MIN_PREFIX = 2;
// At most this many sound-alike surnames are taken for one typed word.
const MAX_SOUND_ALIKES = 20;
// A surname typed alone scores below a full name.
export const FIRST_UNKNOWN = 0.9;
// The surname's people when no one has the given name typed with it (a nickname, a misheard name).
const NICKNAME = 0.55;

export type NamePlan = Extract<SearchPlan, { kind: "name" }>;
/** Which typed word is the surname and which the given name. */
export interface Reading {
  last: string;
  first: string | null;
}
export type Near = Map<string, number>;

/** The spellings a word may stand for: itself exactly, and everything one edit away when the word is long enough. */
export function spellingsOf(word: string, minFuzzy: number): Near {
  const out: Near = new Map([[word, EXACT]]);
  if (word.length >= minFuzzy) for (const e of oneEditAway(word)) out.set(e, ONE_EDIT);
  return out;
}

/** Keeps the spellings that are on file. */
const onFile = (spellings: Near, found: Set<string>): Near => new Map([...spellings].filter(([n]) => found.has(n)));

/**
 * Which candidate surnames and given names are on file at all, in one round trip: one index probe per spelling,
 * each stopping at the first party that has it.
 */
async function namesOnFile(ctx: Ctx, surnames: Set<string>, given: Set<string>) {
  const found = await rows<{ role: string; name: string }>(
    ctx,
    sql`SELECT 'last' AS role, v.name FROM unnest(${arr([...surnames])}::text[]) AS v(name)
         WHERE EXISTS (SELECT 1 FROM parties p WHERE lower(p.last_name) = v.name)
        UNION ALL
        SELECT 'first', v.name FROM unnest(${arr([...given])}::text[]) AS v(name)
         WHERE EXISTS (SELECT 1 FROM parties p WHERE lower(p.first_name) = v.name)`,
  );
  return {
    last: new Set(found.filter((f) => f.role === "last").map((f) => f.name)),
    first: new Set(found.filter((f) => f.role === "first").map((f) => f.name)),
  };
}

/** The distinct surnames sharing the word's sound code (double metaphone), walked along the (code, name) index. */
async function soundAlikes(ctx: Ctx, word: string): Promise<Near> {
  if (word.length < 3) return new Map();
  const alike = await rows<{ name: string }>(
    ctx,
    sql`WITH RECURSIVE walk AS (
          (SELECT lower(p.last_name) AS name FROM parties p
            WHERE p.last_name IS NOT NULL AND dmetaphone(lower(p.last_name)) = dmetaphone(${word})
            ORDER BY lower(p.last_name) LIMIT 1)
          UNION ALL
          SELECT (SELECT lower(p.last_name) FROM parties p
                   WHERE p.last_name IS NOT NULL AND dmetaphone(lower(p.last_name)) = dmetaphone(${word})
                     AND lower(p.last_name) > walk.name
                   ORDER BY lower(p.last_name) LIMIT 1)
            FROM walk WHERE walk.name IS NOT NULL)
        SELECT name FROM walk WHERE name IS NOT NULL LIMIT ${MAX_SOUND_ALIKES}`,
  );
  return new Map(alike.map(({ name }) => [name, SOUNDS_LIKE]));
}

/** The distinct surnames that start with what was typed, walked along the surname index (as-you-type results). */
async function surnamesStarting(ctx: Ctx, prefix: string): Promise<Near> {
  const end = prefixEnd(prefix);
  if (prefix.length < MIN_PREFIX || end === null) return new Map();
  const next = (after: SQL) =>
    sql`SELECT lower(p.last_name) FROM parties p
         WHERE lower(p.last_name) ${after} AND lower(p.last_name) < ${end} ORDER BY lower(p.last_name) LIMIT 1`;
  const found = await rows<{ name: string }>(
    ctx,
    sql`WITH RECURSIVE walk(name) AS (
          (${next(sql`>= ${prefix}`)})
          UNION ALL
          SELECT (${next(sql`> walk.name`)}) FROM walk WHERE walk.name IS NOT NULL)
        SELECT name FROM walk WHERE name IS NOT NULL AND starts_with(name, ${prefix}) LIMIT ${MAX_SOUND_ALIKES}`,
  );
  return new Map(found.map(({ name }) => [name, PREFIX]));
}

interface Ask {
  surnames: Near;
  given: Near | null;
}

/**
 * Parties for several (surname set, given names) asks in one query: per surname at most `cap`, in name order, through
 * the (surname, given name, birth date) index. Returns each party with its score.
 */
async function partiesNamed(ctx: Ctx, asks: Ask[], cap: number): Promise<{ id: number; score: number }[]> {
  // The exact surname may fill every place; surnames near the word (rean: ryan, dean, sean) share them, as only so
  // many results are shown.
  const pairs = asks.flatMap((a, ask) => {
    const near = [...a.surnames.values()].filter((v) => v !== EXACT).length;
    const share = Math.max(5, Math.ceil(cap / Math.max(1, near)) + 2);
    return [...a.surnames].map(([name, v]) => ({ name, ask, given: a.given, lim: v === EXACT ? cap : share }));
  });
  if (!pairs.length) return [];
  const withGiven = pairs.filter((p) => p.given);
  const surnameOnly = pairs.filter((p) => !p.given);
  // Given names travel as one array literal per surname (names hold letters, apostrophes and hyphens only).
  const literal = (given: Near) => `{${[...given.keys()].map((g) => `"${g}"`).join(",")}}`;
  const found = await rows<{ id: number; ask: number; last: string; first: string | null }>(
    ctx,
    sql`SELECT p.id, s.ask, s.name AS last, lower(p.first_name) AS first
          FROM unnest(${arr(withGiven.map((p) => p.name))}::text[], ${arr(withGiven.map((p) => p.ask))}::int[],
                      ${arr(withGiven.map((p) => literal(p.given!)))}::text[],
                      ${arr(withGiven.map((p) => p.lim))}::int[]) AS s(name, ask, given, lim)
          CROSS JOIN LATERAL (
                SELECT id, first_name FROM parties p
                 WHERE lower(p.last_name) = s.name AND lower(p.first_name) = ANY(s.given::text[])
                 ORDER BY lower(p.first_name), p.date_of_birth LIMIT s.lim) p
        UNION ALL
        SELECT p.id, s.ask, s.name AS last, lower(p.first_name) AS first
          FROM unnest(${arr(surnameOnly.map((p) => p.name))}::text[], ${arr(surnameOnly.map((p) => p.ask))}::int[],
                      ${arr(surnameOnly.map((p) => p.lim))}::int[]) AS s(name, ask, lim)
          CROSS JOIN LATERAL (
                SELECT id, first_name FROM parties p
                 WHERE lower(p.last_name) = s.name
                 ORDER BY lower(p.first_name), p.date_of_birth LIMIT s.lim) p`,
  );
  return found.map((f) => {
    const ask = asks[Number(f.ask)]!;
    const last = ask.surnames.get(f.last)!;
    const score = ask.given ? 0.55 * last + 0.45 * (ask.given.get(f.first ?? "") ?? 0) : FIRST_UNKNOWN * last;
    return { id: Number(f.id), score };
  });
}

/** Which typed word is the surname: "smith", "john smith", "mary ann smith", "smith, john", or (tried second) "smith john". */
export function readingsOf(plan: NamePlan): Reading[] {
  const { words } = plan;
  if (words.length === 1) return [{ last: words[0]!, first: null }];
  if (plan.lastFirst) return [{ last: words[0]!, first: words[1]! }];
  return [
    { last: words[words.length - 1]!, first: words[0]! },
    { last: words[0]!, first: words[1]! },
  ];
}

/** Persons by surname and given name, each typo-tolerant, and businesses by the words of their name. */
export async function nameHits(ctx: Ctx, plan: NamePlan, limit: number, hits: Hits) {
  // Spouses share a surname and an account, so a few more parties than accounts are read.
  const cap = limit + 10;
  const readings = readingsOf(plan);
  let persons = 0;
  let first: { surnames: Near; given: Near | null; reading: Reading } | undefined;
  for (const reading of readings) {
    const surnameSpellings = spellingsOf(reading.last, MIN_FUZZY);
    const givenSpellings = reading.first === null ? null : spellingsOf(reading.first, MIN_FUZZY);
    const known = await namesOnFile(ctx, new Set(surnameSpellings.keys()), new Set(givenSpellings?.keys() ?? []));
    const ask: Ask = {
      surnames: onFile(surnameSpellings, known.last),
      given: givenSpellings ? onFile(givenSpellings, known.first) : null,
    };
    first ??= { ...ask, reading };
    if (!ask.surnames.size || ask.given?.size === 0) continue;
    for (const p of await partiesNamed(ctx, [ask], cap)) {
      addHit(hits.parties, p.id, p.score);
      persons++;
    }
    if (persons) break;
  }
  if (persons === 0 && first) {
    // Nobody by that spelling: the surname's people with any given name (a nickname or a misheard given name), else
    // surnames that sound alike.
    const nickname = first.surnames.size > 0 && first.reading.first !== null;
    const rescue: Ask = nickname
      ? { surnames: first.surnames, given: null }
      : {
          // A surname still being typed ("garc") matches the names it starts; one misheard, those that sound alike.
          surnames: new Map([
            ...(await surnamesStarting(ctx, first.reading.last)),
            ...(await soundAlikes(ctx, first.reading.last)),
          ]),
          given: first.given?.size ? first.given : null,
        };
    for (const p of await partiesNamed(ctx, [rescue], cap))
      addHit(hits.parties, p.id, (nickname ? NICKNAME : 1) * p.score);
  }
  // A person found by both names, or a page of people found by the surname: the query names a person, and the
  // business lookup is spared.
  const personNamed = persons > 0 && readings[0]!.first !== null;
  if (!personNamed && persons < limit) await businessHits(ctx, plan.text, cap, hits);
  // No trigram pass over every name follows: a query sharing common trigrams with tens of thousands of names (any
  // "Joseph ...") costs a hundred times a normal search, and sound-alikes already catch most worse misspellings.
}

/**
 * Businesses whose name holds the typed words, by trigram similarity to whole words of business names only (strict:
 * "rean" must look like a word, not like the start of "Realty").
 */
async function businessHits(ctx: Ctx, text: string, cap: number, hits: Hits) {
  if (text.length < 3) return;
  const found = await inTx(ctx, async (tx) => {
    // A stricter bar than the default 0.5, which the index also applies: at 0.5 "rean" or "garcia plumbing" leave
    // thousands of business names (Realty, any Garcia, any Plumbing) to check one by one.
    await tx.db.execute(sql`SET LOCAL pg_trgm.strict_word_similarity_threshold = ${sql.raw(String(BUSINESS_BAR))}`);
    return rows<{ id: number; s: number }>(
      tx,
      sql`SELECT id, strict_word_similarity(${text}, lower(display_name)) AS s FROM parties
           WHERE kind = 'business' AND ${text} <<% lower(display_name)
           ORDER BY s DESC, id LIMIT ${cap}`,
    );
  });
  for (const r of found) addHit(hits.parties, r.id, BUSINESS * Number(r.s));
}
