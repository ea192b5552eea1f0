import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { seedUtility } from "../../seed/seed.js";
import { classify, oneEditAway } from "./classify.js";

let t: TestApp;
let headers: Record<string, string>;

interface Result {
  account_id: number;
  account_number: string;
  name: string;
  service_address: string | null;
}

const find = async (q: string, limit?: number) => {
  const res = await t.app.inject({
    method: "GET",
    url: "/api/v1/search",
    query: limit === undefined ? { q } : { q, limit: String(limit) },
    headers,
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { results: Result[] }).results;
};

const one = async <T>(query: ReturnType<typeof sql>) => (await t.database.rows<T>(t.database.db, query))[0]!;

/** A person on a seeded account with a long, distinctive surname (so its misspellings are nobody else's name). */
interface Target {
  account_id: number;
  account_number: string;
  first_name: string;
  last_name: string;
  party_id: number;
}
let target: Target;

beforeAll(async () => {
  t = await testApp();
  headers = await t.bearer("csr");
  await seedUtility(t.ctx, { accounts: 300, seed: 11 });
  const candidates = await t.database.rows<Target>(
    t.database.db,
    sql`SELECT a.id AS account_id, a.account_number, p.first_name, p.last_name, p.id AS party_id
          FROM accounts a JOIN parties p ON p.id = a.main_party_id
         WHERE p.kind = 'person' AND length(p.last_name) >= 7 AND a.status = 'active'
         ORDER BY a.id`,
  );
  const surnames = new Set(
    (await t.database.rows<{ n: string }>(t.database.db, sql`SELECT DISTINCT lower(last_name) AS n FROM parties`)).map(
      (r) => r.n,
    ),
  );
  // A surname none of whose one-edit misspellings is itself on file.
  target = candidates.find((c) => [...oneEditAway(c.last_name.toLowerCase())].every((m) => !surnames.has(m)))!;
  target.account_id = Number(target.account_id);
  target.party_id = Number(target.party_id);
});
afterAll(async () => t?.close());

const ids = (results: Result[]) => results.map((r) => r.account_id);

describe("search by name", () => {
  it("finds a customer by exact name, best first", async () => {
    const results = await find(`${target.first_name} ${target.last_name}`);
    expect(results[0]!.name).toBe(`${target.last_name}, ${target.first_name}`);
    expect(ids(results)).toContain(target.account_id);
    const lastFirst = await find(`${target.last_name}, ${target.first_name}`);
    expect(lastFirst[0]!.name).toBe(`${target.last_name}, ${target.first_name}`);
    const surnameOnly = await find(target.last_name.toUpperCase());
    expect(ids(surnameOnly)).toContain(target.account_id);
  });

  it("finds misspelled surnames: two letters swapped, one dropped, one wrong", async () => {
    const last = target.last_name;
    const swapped = last.slice(0, 2) + last[3] + last[2] + last.slice(4);
    const dropped = last.slice(0, 3) + last.slice(4);
    const wrongLetter = last[4] === "x" ? "q" : "x";
    const wrong = last.slice(0, 4) + wrongLetter + last.slice(5);
    for (const typo of [swapped, dropped, wrong]) {
      const results = await find(`${target.first_name} ${typo}`);
      expect(results[0]?.name, typo).toBe(`${last}, ${target.first_name}`);
      expect(ids(results), typo).toContain(target.account_id);
      expect(ids(await find(typo)), `${typo} alone`).toContain(target.account_id);
    }
  });

  it("shows the surnames a partly typed name starts, as the CSR types", async () => {
    const typed = target.last_name.slice(0, target.last_name.length - 3);
    const results = await find(`${target.first_name} ${typed}`);
    expect(ids(results)).toContain(target.account_id);
  });

  it("finds a business by the words of its name", async () => {
    const biz = await one<{ display_name: string; account_id: number }>(
      sql`SELECT p.display_name, a.id AS account_id FROM parties p JOIN accounts a ON a.main_party_id = p.id
           WHERE p.kind = 'business' ORDER BY a.id LIMIT 1`,
    );
    const results = await find(biz.display_name.toLowerCase());
    expect(ids(results)).toContain(Number(biz.account_id));
    expect(results[0]!.name).toBe(biz.display_name);
  });
});

describe("search by name and address", () => {
  /** The commonest surname in the seed and one of its holders, with the house number of their service premise. */
  const commonHolder = () =>
    one<{ account_id: number; first_name: string; last_name: string; line1: string }>(
      sql`WITH common AS (SELECT last_name FROM parties WHERE kind = 'person'
                           GROUP BY last_name ORDER BY count(*) DESC, last_name LIMIT 1)
          SELECT a.id AS account_id, p.first_name, p.last_name, pr.address_line1 AS line1
            FROM accounts a JOIN parties p ON p.id = a.main_party_id JOIN common c ON c.last_name = p.last_name
            JOIN service_agreements sa ON sa.account_id = a.id AND sa.status = 'active'
            JOIN service_points sp ON sp.id = sa.service_point_id JOIN premises pr ON pr.id = sp.premise_id
           ORDER BY a.id DESC LIMIT 1`,
    );

  it("narrows a common name by the house number of the service address, the surname misspelled too", async () => {
    const holder = await commonHolder();
    const house = holder.line1.split(" ")[0]!;
    const last = holder.last_name;
    const swapped = last.slice(0, 1) + last[2] + last[1] + last.slice(3);
    for (const q of [
      `${last} ${house}`,
      `${holder.first_name} ${last} ${house}`,
      `${last}, ${holder.first_name} ${house}`,
      `${holder.first_name} ${swapped} ${house}`,
      `${holder.first_name} ${last} ${holder.line1}`,
    ]) {
      const results = await find(q, 5);
      expect(results[0]?.account_id, q).toBe(Number(holder.account_id));
    }
  });

  it("falls back to the name when no one of that name lives at the number", async () => {
    const results = await find(`${target.first_name} ${target.last_name} 99999`);
    expect(ids(results)).toContain(target.account_id);
  });
});

describe("search by numbers and addresses", () => {
  it("finds an account by its number, and by the start of it", async () => {
    expect((await find(target.account_number))[0]!.account_id).toBe(target.account_id);
    expect(ids(await find(target.account_number.slice(0, 6)))).toContain(target.account_id);
  });

  it("finds a phone number however it is written", async () => {
    const { number } = await one<{ number: string }>(
      sql`SELECT number FROM party_phones WHERE party_id = ${target.party_id} AND is_primary`,
    );
    const d = number.slice(2); // +1 and ten digits
    const formats = [
      `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
      `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
      `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
      `1${d}`,
      d,
    ];
    for (const f of formats) expect(ids(await find(f)), f).toContain(target.account_id);
  });

  it("finds an email, whole or by its start", async () => {
    const { email } = await one<{ email: string }>(
      sql`SELECT p.email FROM parties p JOIN accounts a ON a.main_party_id = p.id
           WHERE p.email IS NOT NULL ORDER BY a.id LIMIT 1`,
    );
    const whole = await find(email.toUpperCase());
    expect(whole.length).toBeGreaterThan(0);
    const owner = await one<{ account_id: number }>(
      sql`SELECT ap.account_id FROM account_parties ap JOIN parties p ON p.id = ap.party_id
           WHERE lower(p.email) = ${email.toLowerCase()} LIMIT 1`,
    );
    expect(whole[0]!.account_id).toBe(Number(owner.account_id));
    expect(ids(await find(email.slice(0, email.indexOf("@") + 1)))).toContain(Number(owner.account_id));
  });

  it("finds a service address, with the street misspelled too", async () => {
    const premise = await one<{ address_line1: string; city: string; account_id: number }>(
      sql`SELECT pr.address_line1, pr.city, sa.account_id FROM service_agreements sa
            JOIN service_points sp ON sp.id = sa.service_point_id JOIN premises pr ON pr.id = sp.premise_id
           WHERE sa.account_id = ${target.account_id} AND sa.status = 'active' LIMIT 1`,
    );
    const results = await find(premise.address_line1);
    expect(ids(results)).toContain(target.account_id);
    expect(results.find((r) => r.account_id === target.account_id)!.service_address).toMatch(
      new RegExp(`^${premise.address_line1}`),
    );
    // The town read out with the street ranks the address there first.
    expect((await find(`${premise.address_line1}, ${premise.city}`, 5))[0]!.service_address).toContain(premise.city);
    const [number, street] = premise.address_line1.split(" ");
    const typo = street!.slice(0, 1) + street!.slice(2, 3) + street!.slice(1, 2) + street!.slice(3);
    expect(ids(await find(`${number} ${typo}`))).toContain(target.account_id);
  });

  it("finds a meter's account by meter number", async () => {
    const meter = await one<{ meter_number: string }>(
      sql`SELECT m.meter_number FROM meters m JOIN meter_installations mi ON mi.meter_id = m.id
            JOIN service_agreements sa ON sa.service_point_id = mi.service_point_id
           WHERE sa.account_id = ${target.account_id} AND mi.removed_on IS NULL LIMIT 1`,
    );
    expect((await find(meter.meter_number))[0]!.account_id).toBe(target.account_id);
  });

  it("finds customers by the last four of their identity number", async () => {
    const { identity_last4 } = await one<{ identity_last4: string }>(
      sql`SELECT identity_last4 FROM parties WHERE id = ${target.party_id}`,
    );
    if (!identity_last4) return; // the target has no identity number on file
    expect(ids(await find(identity_last4, 100))).toContain(target.account_id);
  });

  it("gives the mailing address when the account has no active service agreement", async () => {
    const closed = await one<{ account_number: string; mailing_line1: string }>(
      sql`SELECT a.account_number, coalesce(a.mailing_line1, p.mailing_line1) AS mailing_line1
            FROM accounts a JOIN parties p ON p.id = a.main_party_id
           WHERE a.status = 'closed' ORDER BY a.id LIMIT 1`,
    );
    const [result] = await find(closed.account_number);
    expect(result!.account_number).toBe(closed.account_number);
    expect(result!.service_address).toMatch(new RegExp(`^${closed.mailing_line1}`));
  });
});

describe("the search contract", () => {
  it("returns one result per account and honours limit", async () => {
    const common = await one<{ last_name: string }>(
      sql`SELECT last_name FROM parties WHERE last_name IS NOT NULL GROUP BY last_name ORDER BY count(*) DESC, last_name LIMIT 1`,
    );
    const all = await find(common.last_name, 100);
    expect(new Set(ids(all)).size).toBe(all.length);
    const three = await find(common.last_name, 3);
    expect(three.length).toBe(3);
    expect(Object.keys(three[0]!).sort()).toEqual(["account_id", "account_number", "name", "service_address"]);
    const byDefault = await find("a");
    expect(byDefault.length).toBeLessThanOrEqual(20);
  });

  it("refuses an empty query and a bad limit with a 400 naming the field", async () => {
    for (const query of [{ q: "" }, { q: "   " }, {}] as Record<string, string>[]) {
      const res = await t.app.inject({ method: "GET", url: "/api/v1/search", query, headers });
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(
        res
          .json()
          .errors.map((e: { field: string }) => e.field)
          .join(" "),
      ).toMatch(/\bq\b/);
    }
    for (const limit of ["0", "101", "ten"]) {
      const res = await t.app.inject({ method: "GET", url: "/api/v1/search", query: { q: "smith", limit }, headers });
      expect(res.statusCode).toBe(400);
      expect(
        res
          .json()
          .errors.map((e: { field: string }) => e.field)
          .join(" "),
      ).toMatch(/\blimit\b/);
    }
  });

  it("needs a signed-in caller", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/search", query: { q: "smith" } });
    expect(res.statusCode).toBe(401);
    const session = await t.as("field");
    const ok = await t.app.inject({ method: "GET", url: "/api/v1/search", query: { q: "smith" }, headers: session });
    expect(ok.statusCode).toBe(200);
  });

  it("answers queries that match nothing, or are only punctuation, with no results", async () => {
    expect(await find("zzqxj")).toEqual([]);
    expect(await find("!!!")).toEqual([]);
    expect(await find("E12345")).toEqual([]);
  });
});

describe("reading a query", () => {
  it("classifies what was typed so each kind uses its own index", () => {
    expect(classify("john@example.com").kind).toBe("email");
    expect(classify("(415) 555-0134")).toEqual({ kind: "digits", digits: "4155550134" });
    expect(classify("1234").kind).toBe("digits");
    expect(classify("123 Main St")).toMatchObject({ kind: "address", houseNumber: "123", street: "main st" });
    expect(classify("Smith, John")).toMatchObject({ kind: "name", words: ["smith", "john"], lastFirst: true });
    expect(classify("O'Brien")).toMatchObject({ kind: "name", words: ["o'brien"] });
    expect(classify("AB12345")).toEqual({ kind: "code", code: "AB12345" });
    expect(classify("Smith 1452")).toMatchObject({
      kind: "name",
      words: ["smith"],
      place: { houseNumber: "1452", street: "" },
    });
    expect(classify("john smith, 1452B Oak St.")).toMatchObject({
      kind: "name",
      words: ["john", "smith"],
      place: { houseNumber: "1452b", street: "oak st" },
    });
  });

  it("spells every one-edit variant: dropped, swapped, wrong and extra letters", () => {
    const edits = oneEditAway("smith");
    for (const v of ["smth", "smiht", "smoth", "smitha", "msith"]) expect(edits.has(v), v).toBe(true);
    expect(edits.has("smith")).toBe(false);
  });
});
