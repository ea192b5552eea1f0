import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { DEMO_TARIFF_CODES, seedDemoTariffs } from "../../seed/tariffs.js";
import { loadTariff } from "./index.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-07-15T17:00:00Z" });
  await seedDemoTariffs(t.ctx);
});
afterAll(async () => t?.close());

const get = async (url: string, role = "trainee") => t.app.inject({ method: "GET", url, headers: await t.as(role) });
const post = async (url: string, payload: unknown, role = "billing_analyst") =>
  t.app.inject({ method: "POST", url, headers: await t.as(role), payload: payload as Record<string, unknown> });

/** A small tariff of the lighting sector (so it stays out of residential comparisons): $0.50 a day and one price. */
const flat = (code: string, from = "2026-01-01", price = "0.20") => ({
  format: "kilowatt-tariff/1",
  code,
  name: `Test ${code}`,
  sector: "lighting",
  versions: [{ effective_from: from, customer_charge: { price: "0.50", per: "day" }, energy: { all: [{ price }] } }],
});

async function auditRows(code: string) {
  return t.database.rows<{ action: string; actor_name: string; after: Record<string, unknown> }>(
    t.database.db,
    sql`SELECT action, actor_name, after FROM audit_log WHERE entity_type = 'tariff' AND entity_id = ${code} ORDER BY id`,
  );
}

/** 48 hourly readings of 1 kWh from local midnight of 2026-07-01 (PDT). */
const twoDays = () =>
  Array.from({ length: 48 }, (_, h) => ({
    start: new Date(Date.parse("2026-07-01T00:00:00-07:00") + h * 3_600_000).toISOString(),
    kwh: "1",
  }));
const csvOf = (rows: { start: string; kwh: string }[]) =>
  `start,kwh\n${rows.map((r) => `${r.start},${r.kwh}`).join("\n")}\n`;

describe("the demo tariffs", () => {
  it("are in the book once, however often they are loaded, each with its published source", async () => {
    const again = await seedDemoTariffs(t.ctx);
    expect(again.map((r) => [r.code, r.created, r.added])).toEqual(DEMO_TARIFF_CODES.map((c) => [c, false, []]));
    const res = await get("/api/v1/tariffs");
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Record<string, unknown>[];
    expect(items.map((i) => i.code)).toEqual(["A-1", "B-1", "E-1", "E-TOU-C", "EV2-A"]);
    for (const i of items)
      expect(String(i.source_url)).toMatch(/^https:\/\/www\.pge\.com\/tariffs\/assets\/pdf\/tariffbook\//);
    const byCode = Object.fromEntries(items.map((i) => [i.code, i]));
    expect(byCode["E-TOU-C"]).toMatchObject({
      origin: "kilowatt",
      sector: "residential",
      time_zone: "America/Los_Angeles",
      current: { effective_from: "2026-03-01" },
      features: { baseline: true, time_of_use: true, demand: false },
    });
    const touVersions = (byCode["E-TOU-C"] as { versions: { effective_from: string; effective_to: string | null }[] })
      .versions;
    expect(touVersions[0]).toMatchObject({ effective_from: "2024-01-01" });
    expect(touVersions.at(-1)).toEqual({ effective_from: "2026-03-01", effective_to: null });
    for (let i = 1; i < touVersions.length; i++)
      expect(touVersions[i - 1]!.effective_to).toBe(touVersions[i]!.effective_from);
    expect(byCode["B-1"]).toMatchObject({ sector: "commercial", features: { demand: true, time_of_use: true } });
    expect(byCode["E-1"]).toMatchObject({ features: { baseline: true, time_of_use: false, demand: false } });
    const e1 = await loadTariff(t.database.db, "E-1");
    expect(e1.territories).toEqual(["P", "Q", "R", "S", "T", "V", "W", "X", "Y", "Z"]);
  });

  it("shows one tariff with its whole document; an unknown code is a 404", async () => {
    const res = await get("/api/v1/tariffs/EV2-A", "csr");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.versions.at(-1)).toEqual({ effective_from: "2026-06-01", effective_to: null, urdb_label: null });
    const file = JSON.parse(readFileSync(new URL("../../seed/tariffs/EV2-A.json", import.meta.url), "utf8"));
    expect(body.document).toEqual(file);
    const missing = await get("/api/v1/tariffs/NOPE-1");
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });
});

describe("adding tariffs and versions", () => {
  it("creates a tariff (201), audited with each version; the same code again is a 409", async () => {
    const res = await post("/api/v1/tariffs", flat("TEST-1"));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      code: "TEST-1",
      origin: "kilowatt",
      sector: "lighting",
      current: { effective_from: "2026-01-01" },
      versions: [{ effective_from: "2026-01-01", effective_to: null }],
      features: { baseline: false, time_of_use: false, demand: false },
    });
    const rows = await auditRows("TEST-1");
    expect(rows.map((r) => [r.action, r.actor_name])).toEqual([
      ["tariffs.create", "t-billing_analyst"],
      ["tariffs.add_version", "t-billing_analyst"],
    ]);
    expect(rows[1]!.after).toMatchObject({
      effective_from: "2026-01-01",
      document: { energy: { all: [{ price: "0.20" }] } },
    });

    const again = await post("/api/v1/tariffs", flat("TEST-1", "2027-01-01"));
    expect(again.statusCode).toBe(409);
    expect(again.json().errors).toEqual([expect.objectContaining({ field: "code" })]);
    expect(await auditRows("TEST-1")).toHaveLength(2);
  });

  it("refuses a document the engine refuses with a 400 naming the field, and stores nothing", async () => {
    const bad = flat("TEST-BAD");
    (bad.versions[0]!.energy.all[0] as Record<string, unknown>).price = "twenty cents";
    const res = await post("/api/v1/tariffs", bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: "versions[0].energy.all[0].price", message: expect.any(String) }]);
    const unknown = await post("/api/v1/tariffs", { ...flat("TEST-BAD"), colour: "blue" });
    expect(unknown.json().errors).toEqual([expect.objectContaining({ field: "colour" })]);
    expect((await get("/api/v1/tariffs/TEST-BAD")).statusCode).toBe(404);
    expect(await auditRows("TEST-BAD")).toEqual([]);
  });

  it("adds a version: the book and loadTariff see it, a second one on the same date is a 409", async () => {
    const before = await loadTariff(t.database.db, "TEST-1");
    expect(before.versions).toHaveLength(1);
    const version = {
      effective_from: "2026-07-16",
      customer_charge: { price: "0.50", per: "day" },
      energy: { all: [{ price: "0.30" }] },
    };
    const res = await post("/api/v1/tariffs/TEST-1/versions", version);
    expect(res.statusCode).toBe(201);
    expect(res.json().versions).toEqual([
      { effective_from: "2026-01-01", effective_to: "2026-07-16" },
      { effective_from: "2026-07-16", effective_to: null },
    ]);
    expect(res.json().current).toEqual({ effective_from: "2026-01-01" });
    const after = await loadTariff(t.database.db, "TEST-1");
    expect(after.versions.map((v) => v.effectiveFrom)).toEqual(["2026-01-01", "2026-07-16"]);
    expect(await loadTariff(t.database.db, "TEST-1")).toBe(after);

    const dup = await post("/api/v1/tariffs/TEST-1/versions", { ...version, energy: { all: [{ price: "0.31" }] } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors).toEqual([expect.objectContaining({ field: "effective_from" })]);
    const actions = (await auditRows("TEST-1")).map((r) => r.action);
    expect(actions).toEqual(["tariffs.create", "tariffs.add_version", "tariffs.add_version"]);
  });

  it("names the field of a refused version as the body has it; an unknown tariff is a 404", async () => {
    const res = await post("/api/v1/tariffs/TEST-1/versions", {
      effective_from: "2026-10-01",
      energy: { all: [{ price: "0.2", up_to: { kwh_per_day: "5" } }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: "energy.all[0].up_to", message: expect.any(String) }]);
    const noDate = await post("/api/v1/tariffs/TEST-1/versions", { energy: { all: [{ price: "0.2" }] } });
    expect(noDate.json().errors).toEqual([expect.objectContaining({ field: "effective_from" })]);
    const missing = await post("/api/v1/tariffs/NOPE-1/versions", {
      effective_from: "2026-10-01",
      energy: { all: [{ price: "0.2" }] },
    });
    expect(missing.statusCode).toBe(404);
  });

  it("imports URDB records as tariffs of origin urdb, keeping each record's label; a field not modelled is a 400", async () => {
    const fixture = JSON.parse(
      readFileSync(new URL("../../core/rates/urdb-fixtures/pge-a-10-secondary.json", import.meta.url), "utf8"),
    ).record as Record<string, unknown>;
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/tariffs/import-urdb?code=A-10-URDB",
      headers: await t.as("admin"),
      payload: { items: [fixture] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().imported).toEqual([
      { code: "A-10-URDB", name: expect.any(String), effective_from: "2024-10-01" },
    ]);
    const shown = (await get("/api/v1/tariffs/A-10-URDB")).json();
    expect(shown).toMatchObject({
      origin: "urdb",
      features: { demand: true },
      versions: [{ urdb_label: fixture.label }],
    });
    const [stored] = await t.database.rows<{ urdb_record: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT v.urdb_record FROM tariff_versions v JOIN tariffs t ON t.id = v.tariff_id WHERE t.code = 'A-10-URDB'`,
    );
    expect(stored!.urdb_record.label).toBe(fixture.label);

    const ratchet = { ...fixture, demandratchetpercentage: Array(12).fill(50) };
    const refused = await t.app.inject({
      method: "POST",
      url: "/api/v1/tariffs/import-urdb?code=A-10-RATCHET",
      headers: await t.as("admin"),
      payload: [ratchet],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].field).toBe("[0].demandratchetpercentage");
    expect((await get("/api/v1/tariffs/A-10-RATCHET")).statusCode).toBe(404);
  });
});

describe("quotes", () => {
  const quote = async (body: Record<string, unknown>, role = "trainee") => post("/api/v1/rates/quote", body, role);

  it("prices a register reading on a tariff of the book, line by line to the cent", async () => {
    const res = await quote({ tariff_code: "E-1", from: "2026-07-01", to: "2026-07-30", kwh: "500", territory: "T" });
    expect(res.statusCode).toBe(200);
    const q = res.json();
    expect(q).toMatchObject({ tariff_code: "E-1", versions: ["2026-06-01"], days: 30, kwh: "500" });
    // Baseline T in summer: 6.5 kWh a day, 195 kWh over 30 days.
    expect(q.lines.map((l: Record<string, unknown>) => [l.kind, l.quantity, l.price, l.amount_cents])).toEqual([
      ["customer_charge", "30", "0.79343", 2380],
      ["energy", "195", "0.32561", 6349],
      ["energy", "305", "0.40702", 12414],
    ]);
    expect(q.total_cents).toBe(21143);
    const care = await quote({
      tariff_code: "E-1",
      from: "2026-07-01",
      to: "2026-07-30",
      kwh: 500,
      territory: "T",
      care: true,
    });
    expect(care.json().total_cents).toBe(12787);
  });

  it("prices across a version change, each part at its version's prices", async () => {
    const q = (await quote({ tariff_code: "TEST-1", from: "2026-07-01", to: "2026-07-30", kwh: "300" })).json();
    expect(q.versions).toEqual(["2026-01-01", "2026-07-16"]);
    // 15 days each: 150 kWh at $0.20 and 150 at $0.30, and $0.50 a day.
    expect(q.total_cents).toBe(1500 + 3000 + 4500);
  });

  it("prices a tariff given whole in the request, and names its refused field under tariff", async () => {
    const res = await quote({ tariff: flat("INLINE-1"), from: "2026-03-01", to: "2026-03-31", kwh: "100" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ tariff_code: "INLINE-1", total_cents: 31 * 50 + 2000 });
    expect((await get("/api/v1/tariffs/INLINE-1")).statusCode).toBe(404);
    const bad = await quote({
      tariff: { ...flat("INLINE-1"), sector: "space" },
      from: "2026-03-01",
      to: "2026-03-31",
      kwh: "1",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: "tariff.sector" })]);
  });

  it("prices interval data (JSON rows or CSV) by time of use", async () => {
    const rows = twoDays();
    const ev = await quote({ tariff_code: "EV2-A", from: "2026-07-01", to: "2026-07-02", intervals: rows });
    expect(ev.statusCode).toBe(200);
    const energy = (ev.json().lines as Record<string, string>[]).filter((l) => l.kind === "energy");
    expect(energy.map((l) => [l.quantity, l.price])).toEqual(
      expect.arrayContaining([
        ["10", "0.53809"],
        ["8", "0.42760"],
        ["30", "0.22558"],
      ]),
    );
    expect(ev.json().total_cents).toBe(538 + 342 + 677 + 159);

    const csv = await quote({
      tariff_code: "E-TOU-C",
      from: "2026-07-01",
      to: "2026-07-02",
      intervals_csv: csvOf(rows),
      territory: "X",
    });
    expect(csv.statusCode).toBe(200);
    const kinds = (csv.json().lines as Record<string, string>[]).map((l) => l.kind);
    expect(kinds).toContain("baseline_credit");
    const byPeriod = await quote({
      tariff_code: "E-TOU-C",
      from: "2026-07-01",
      to: "2026-07-02",
      kwh: "48",
      kwh_by_period: { peak: "10", off_peak: "38" },
      territory: "X",
    });
    expect(byPeriod.json().total_cents).toBe(csv.json().total_cents);
  });

  it("answers 400 naming the field for what it cannot price, and 404 for an unknown code", async () => {
    const noTerritory = await quote({ tariff_code: "E-1", from: "2026-07-01", to: "2026-07-30", kwh: "500" });
    expect(noTerritory.statusCode).toBe(400);
    expect(noTerritory.json().errors).toEqual([expect.objectContaining({ field: "territory" })]);
    const backwards = await quote({ tariff_code: "A-1", from: "2026-07-30", to: "2026-07-01", kwh: "5" });
    expect(backwards.json().errors).toEqual([expect.objectContaining({ field: "to" })]);
    const tou = await quote({ tariff_code: "EV2-A", from: "2026-07-01", to: "2026-07-30", kwh: "500" });
    expect(tou.json().errors).toEqual([expect.objectContaining({ field: "kwh" })]);
    const noDemand = await quote({ tariff_code: "B-1", from: "2026-07-01", to: "2026-07-30", kwh: "500" });
    expect(noDemand.statusCode).toBe(400);
    const both = await quote({
      tariff_code: "E-1",
      tariff: flat("X-1"),
      from: "2026-07-01",
      to: "2026-07-30",
      kwh: "5",
    });
    expect(both.json().errors).toEqual([expect.objectContaining({ field: "tariff_code" })]);
    const twoUsages = await quote({
      tariff_code: "A-1",
      from: "2026-07-01",
      to: "2026-07-02",
      kwh: "5",
      intervals_csv: "start,kwh\n",
    });
    expect(twoUsages.json().errors).toEqual([expect.objectContaining({ field: "kwh" })]);
    const badLine = await quote({
      tariff_code: "A-1",
      from: "2026-07-01",
      to: "2026-07-02",
      intervals_csv: "start,kwh\n2026-07-01T00:00:00-07:00,1\n2026-07-01T01:00:00-07:00,lots\n",
    });
    expect(badLine.statusCode).toBe(400);
    expect(badLine.json().errors).toEqual([{ field: "intervals_csv", message: expect.stringMatching(/^line 3: /) }]);
    const badRow = await quote({
      tariff_code: "A-1",
      from: "2026-07-01",
      to: "2026-07-02",
      intervals: [
        { start: "yesterday", kwh: "1" },
        { start: "today", kwh: "1" },
      ],
    });
    expect(badRow.json().errors).toEqual([expect.objectContaining({ field: "intervals[0]" })]);
    const missing = await quote({ tariff_code: "NOPE-1", from: "2026-07-01", to: "2026-07-30", kwh: "5" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors).toEqual([expect.objectContaining({ field: "tariff_code" })]);
  });

  it("prices a demand charge from the demand register", async () => {
    const res = await quote({
      tariff_code: "B-1",
      from: "2026-04-01",
      to: "2026-04-30",
      kwh: "1200",
      demand_kw: "12.5",
      kwh_by_period: { off_peak: "1200" },
    });
    expect(res.statusCode).toBe(200);
    const demand = (res.json().lines as Record<string, unknown>[]).filter((l) => l.kind === "demand");
    expect(demand).toEqual([expect.objectContaining({ quantity: "12.5", price: "20.50", amount_cents: 25625 })]);
  });
});

describe("rate comparison", () => {
  const months = [
    { from: "2026-06-01", to: "2026-06-30", kwh: "420" },
    { from: "2026-07-01", to: "2026-07-31", kwh: "610" },
    { from: "2026-08-01", to: "2026-08-31", kwh: "580" },
  ];
  const compare = async (body: Record<string, unknown>) => post("/api/v1/rates/compare", body, "trainee");

  it("prices months of usage on every residential tariff, cheapest first", async () => {
    const res = await compare({ months, territory: "X" });
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c.refused).toEqual([]);
    expect(c.rows.map((r: { tariff_code: string }) => r.tariff_code).sort()).toEqual(["E-1", "E-TOU-C", "EV2-A"]);
    const totals = c.rows.map((r: { total_cents: number }) => r.total_cents);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    for (const r of c.rows) {
      expect(r.months).toHaveLength(3);
      expect(r.total_cents).toBe(r.months.reduce((s: number, m: { total_cents: number }) => s + m.total_cents, 0));
    }
    const byCode = Object.fromEntries(
      c.rows.map((r: { tariff_code: string; basis: string }) => [r.tariff_code, r.basis]),
    );
    expect(byCode).toEqual({ "E-1": "register", "E-TOU-C": "load_shape", "EV2-A": "load_shape" });
  });

  it("lists the tariffs that cannot price the usage, with the reason", async () => {
    const c = (await compare({ months })).json();
    expect(c.rows.map((r: { tariff_code: string }) => r.tariff_code)).toEqual(["EV2-A"]);
    expect(c.refused.map((r: { tariff_code: string }) => r.tariff_code).sort()).toEqual(["E-1", "E-TOU-C"]);
    expect(c.refused[0].reason).toMatch(/territory/);
    const commercial = (await compare({ sector: "commercial", months })).json();
    // Without a demand reading, a monthly total on a time-of-use tariff is spread by the standard load shape.
    expect(commercial.rows.map((r: { tariff_code: string }) => r.tariff_code)).toEqual(
      expect.arrayContaining(["A-1", "B-1"]),
    );
  });

  it("compares interval data over the calendar months it covers; unknown codes are 404s naming them", async () => {
    const rows = twoDays().map((r) => ({ ...r, start: new Date(Date.parse(r.start) + 30 * 86_400_000).toISOString() }));
    const c = (
      await compare({ intervals_csv: csvOf(rows), territory: "T", tariff_codes: ["E-TOU-C", "EV2-A"] })
    ).json();
    expect(c.rows).toHaveLength(2);
    for (const r of c.rows) {
      expect(r.basis).toBe("intervals");
      expect(r.months.map((m: { from: string; to: string }) => [m.from, m.to])).toEqual([
        ["2026-07-31", "2026-07-31"],
        ["2026-08-01", "2026-08-01"],
      ]);
    }
    const missing = await compare({ months, tariff_codes: ["E-1", "NOPE-1"] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors).toEqual([expect.objectContaining({ field: "tariff_codes[1]" })]);
    const neither = await compare({ territory: "T" });
    expect(neither.json().errors).toEqual([expect.objectContaining({ field: "months" })]);
  });
});

describe("who may do what", () => {
  it("lets a trainee read, quote and compare, but not add or import tariffs", async () => {
    expect((await get("/api/v1/tariffs", "trainee")).statusCode).toBe(200);
    const q = await post(
      "/api/v1/rates/quote",
      { tariff_code: "A-1", from: "2026-07-01", to: "2026-07-31", kwh: "900" },
      "trainee",
    );
    expect(q.statusCode).toBe(200);
    for (const [url, body] of [
      ["/api/v1/tariffs", flat("TRAINEE-1")],
      ["/api/v1/tariffs/A-1/versions", flat("TRAINEE-1").versions[0]],
      ["/api/v1/tariffs/import-urdb", {}],
    ] as const) {
      const res = await post(url, body, "trainee");
      expect(res.statusCode).toBe(403);
      expect(res.json().permission).toBe("tariffs.manage");
    }
    expect((await get("/api/v1/tariffs/TRAINEE-1")).statusCode).toBe(404);
    const field = await t.app.inject({ method: "GET", url: "/api/v1/tariffs", headers: await t.as("field") });
    expect(field.statusCode).toBe(403);
  });

  it("describes the routes in the OpenAPI document", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    for (const p of ["/api/v1/tariffs", "/api/v1/tariffs/import-urdb", "/api/v1/rates/quote", "/api/v1/rates/compare"])
      expect(doc.paths[p], p).toBeDefined();
    expect(doc.paths["/api/v1/tariffs/{code}/versions"].post).toBeDefined();
  });
});
