import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { installedMeter } from "./test-fixtures.js";

// Register reads through the API: usage from the previous valid read, rollovers, exceptions held with their reason
// (never lost), duplicate days refused naming read_on, reads put before later ones, the held reads worked, and the
// reads file imported line by line.

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-07-15T17:00:00Z" });
});
afterAll(async () => t?.close());

async function key(number: string, body: unknown, role = "csr") {
  return t.app.inject({
    method: "POST",
    url: `/api/v1/meters/${number}/reads`,
    headers: await t.as(role),
    payload: body as Record<string, unknown>,
  });
}
const reads = async (number: string, query = "") =>
  (
    await t.app.inject({ method: "GET", url: `/api/v1/meters/${number}/reads${query}`, headers: await t.as("csr") })
  ).json().reads as Record<string, unknown>[];
/** Monthly reads of 300 kWh from 12,000: Jan 31 .. May 1 (three periods of history). */
const history = [
  { read_on: "2026-01-31", reading: "12000" },
  { read_on: "2026-03-02", reading: "12300" },
  { read_on: "2026-04-01", reading: "12600" },
  { read_on: "2026-05-01", reading: "12900" },
];
const auditRows = async (action: string, entityId: number) =>
  t.database.rows<{ before: unknown; after: Record<string, unknown> }>(
    t.database.db,
    sql`SELECT before, after FROM audit_log WHERE action = ${action} AND entity_id = ${String(entityId)}`,
  );

describe("keying register reads", () => {
  it("computes kWh from the previous valid read (dial difference x multiplier), audited per read", async () => {
    const m = await installedMeter(t, { multiplier: "40" });
    const first = await key(m.number, { read_on: "2026-05-31", reading: "1000" });
    expect(first.statusCode).toBe(201);
    expect(first.json().reads[0]).toMatchObject({ read_on: "2026-05-31", reading: "1000", kwh: null, status: "valid" });
    const second = await key(m.number, { read_on: "2026-06-30", reading: 1015.5, demand_kw: "12.4" });
    expect(second.statusCode).toBe(201);
    const read = second.json().reads[0];
    expect(read).toMatchObject({ kwh: "620", demand_kw: "12.4", kind: "actual", source: "keyed", created_by: "t-csr" });
    const [row] = await auditRows("meter_read.create", read.id);
    expect(row!.after).toMatchObject({ id: read.id, kwh: "620", reading: "1015.5" });
  });

  it("takes several reads at once, in day order", async () => {
    const m = await installedMeter(t);
    const res = await key(m.number, { reads: [...history].reverse() });
    expect(res.statusCode).toBe(201);
    expect(res.json().reads.map((r: { read_on: string; kwh: string | null }) => [r.read_on, r.kwh])).toEqual([
      ["2026-01-31", null],
      ["2026-03-02", "300"],
      ["2026-04-01", "300"],
      ["2026-05-01", "300"],
    ]);
  });

  it("refuses a second read on a day with 409 naming read_on, changing nothing", async () => {
    const m = await installedMeter(t);
    await key(m.number, { reads: history });
    const res = await key(m.number, { read_on: "2026-04-01", reading: "12650" });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      status: 409,
      errors: [
        {
          field: "read_on",
          message: expect.stringMatching(/already has a read on 2026-04-01 \(reading 12600, valid\)/),
        },
      ],
    });
    const again = await key(m.number, { read_on: "2026-04-01", reading: "12600" });
    expect(again.statusCode).toBe(409);
    expect(await reads(m.number)).toHaveLength(4);
  });

  it("holds reads going backwards without a rollover as negative_usage, with the figures; nothing is lost", async () => {
    const m = await installedMeter(t);
    await key(m.number, { reads: history });
    const res = await key(m.number, { read_on: "2026-05-31", reading: "12850" });
    expect(res.statusCode).toBe(201);
    expect(res.json().reads[0]).toMatchObject({
      status: "exception",
      exception: "negative_usage",
      kwh: "-50",
      exception_note:
        "reading 12850 is lower than the previous reading 12900 of 2026-05-01: -50 on the dials, and not a rollover " +
        "of the 5 dials (that needs the previous reading at 90000 or more and the new one below 10000); -50 kWh",
    });
    const held = (
      await t.app.inject({ method: "GET", url: "/api/v1/reads/exceptions", headers: await t.as("csr") })
    ).json();
    expect(held.reads.map((r: { meter_number: string }) => r.meter_number)).toContain(m.number);
    // The next read counts from the last valid one.
    const next = await key(m.number, { read_on: "2026-06-30", reading: "13200" });
    expect(next.json().reads[0]).toMatchObject({ status: "valid", kwh: "300" });
  });

  it("takes a rollover of the dials near the top", async () => {
    const m = await installedMeter(t, { dials: 4 });
    await key(m.number, { reads: [{ read_on: "2026-05-01", reading: "9800" }] });
    const res = await key(m.number, { read_on: "2026-05-31", reading: "0150" });
    expect(res.json().reads[0]).toMatchObject({ status: "valid", kwh: "350", rollover: true });
  });

  it("holds high and low usage against the last 3 periods", async () => {
    const m = await installedMeter(t);
    await key(m.number, { reads: history });
    const high = await key(m.number, { read_on: "2026-05-31", reading: "14000" });
    expect(high.json().reads[0]).toMatchObject({
      status: "exception",
      exception: "high_usage",
      kwh: "1100",
      exception_note: "36.7 kWh a day over 30 days is more than 3 x the average 10.0 kWh a day of the last 3 periods",
    });
  });

  it("refuses what cannot be a read, naming the field", async () => {
    const m = await installedMeter(t, { installedOn: "2026-03-01" });
    const cases: [unknown, number, string, RegExp][] = [
      [{ read_on: "2026-02-15", reading: "1" }, 422, "read_on", /was not installed on 2026-02-15/],
      [{ read_on: "2026-07-16", reading: "1" }, 400, "read_on", /after today \(2026-07-15\)/],
      [{ read_on: "2026-06-01", reading: "100000" }, 400, "reading", /more digits than the meter's 5 dials/],
      [{ read_on: "2026-06-01", reading: "-5" }, 400, "reading", /./],
      [{ read_on: "2026-06-31", reading: "5" }, 400, "read_on", /./],
      [{ read_on: "2026-06-01", reading: "5", kind: "estimated" }, 400, "kind", /./],
    ];
    for (const [body, status, field, message] of cases) {
      const res = await key(m.number, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]),
      );
    }
    expect((await key("NO-SUCH-METER", { read_on: "2026-06-01", reading: "5" })).statusCode).toBe(404);
    expect((await key(m.number, { read_on: "2026-06-01", reading: "5" }, "trainee")).statusCode).toBe(403);
    expect(await reads(m.number)).toEqual([]);
  });
});

describe("a read dated before later reads", () => {
  it("recomputes the next read's kWh from it (audited), or is refused when the next would go negative", async () => {
    const m = await installedMeter(t);
    await key(m.number, { reads: history });
    const res = await key(m.number, { read_on: "2026-04-15", reading: "12700" });
    expect(res.statusCode).toBe(201);
    expect(res.json().reads[0]).toMatchObject({ kwh: "100", status: "valid" });
    const list = await reads(m.number);
    const may = list.find((r) => r.read_on === "2026-05-01")!;
    expect(may).toMatchObject({ kwh: "200", version: 2 });
    const [row] = await auditRows("meter_read.recompute", may.id as number);
    expect(row).toMatchObject({ before: { kwh: "300" }, after: { kwh: "200" } });
    // Too much usage in five days: held, so the read after it keeps its kWh.
    const high = await key(m.number, { read_on: "2026-04-20", reading: "12950" });
    expect(high.json().reads[0]).toMatchObject({ status: "exception", exception: "high_usage" });
    expect((await reads(m.number)).find((r) => r.read_on === "2026-05-01")).toMatchObject({ kwh: "200" });
  });

  it("is refused when it would make the next read's usage negative", async () => {
    const m = await installedMeter(t);
    await key(m.number, { reads: [history[0], history[3]] });
    const negative = await key(m.number, { read_on: "2026-04-20", reading: "12950" });
    expect(negative.statusCode).toBe(422);
    expect(negative.json()).toMatchObject({
      rule: "read.makes_next_negative",
      errors: [{ field: "read_on", message: expect.stringMatching(/higher than the next read's 12900 on 2026-05-01/) }],
    });
    expect(await reads(m.number)).toHaveLength(2);
  });
});

describe("working held reads", () => {
  async function heldRead() {
    const m = await installedMeter(t);
    await key(m.number, { reads: history });
    const res = await key(m.number, { read_on: "2026-05-31", reading: "12850" });
    return { m, held: res.json().reads[0] as { id: number; version: number } };
  }

  it("accepts a held read with the version read; the next read counts from it", async () => {
    const { m, held } = await heldRead();
    const next = (await key(m.number, { read_on: "2026-06-30", reading: "13150" })).json().reads[0];
    expect(next.kwh).toBe("250");
    const stale = await t.app.inject({
      method: "POST",
      url: `/api/v1/reads/${held.id}/accept`,
      headers: await t.as("csr"),
      payload: { version: held.version + 1 },
    });
    expect(stale.statusCode).toBe(409);
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/reads/${held.id}/accept`,
      headers: await t.as("csr"),
      payload: { version: held.version, note: "previous read was estimated high" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "valid", kwh: "-50", exception: "negative_usage" });
    expect(res.json().exception_note).toMatch(/accepted by t-csr on 2026-07-15: previous read was estimated high$/);
    expect((await reads(m.number)).find((r) => r.read_on === "2026-06-30")).toMatchObject({ kwh: "300" });
    const twice = await t.app.inject({
      method: "POST",
      url: `/api/v1/reads/${held.id}/accept`,
      headers: await t.as("csr"),
      payload: { version: held.version + 1 },
    });
    expect(twice.statusCode).toBe(422);
  });

  it("replaces a held read by a corrected reading; the old one is kept as replaced", async () => {
    const { m, held } = await heldRead();
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/reads/${held.id}/replace`,
      headers: await t.as("csr"),
      payload: { version: held.version, reading: "13150", note: "digits transposed" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().replaced).toMatchObject({ id: held.id, status: "replaced" });
    expect(res.json().read).toMatchObject({ read_on: "2026-05-31", reading: "13150", kwh: "250", status: "valid" });
    expect((await reads(m.number)).map((r) => r.status)).toEqual(["valid", "valid", "valid", "valid", "valid"]);
    expect(await reads(m.number, "?include_replaced=true")).toHaveLength(6);
    const [row] = await auditRows("meter_read.replace", held.id);
    expect(row!.after).toMatchObject({ by: { reading: "13150" } });
  });
});

describe("the reads file", () => {
  const upload = async (body: string, role = "billing_analyst", type = "text/csv") =>
    t.app.inject({
      method: "POST",
      url: "/api/v1/reads/import?file_name=cycle-07.csv",
      headers: { ...(await t.as(role)), "content-type": type },
      payload: body,
    });

  it("imports the reads, holds exceptions and refuses bad lines, each with its line and reason", async () => {
    const a = await installedMeter(t);
    const b = await installedMeter(t);
    await key(a.number, { reads: history });
    const file = [
      "meter_number,read_on,reading,demand_kw",
      `${a.number},2026-05-31,13200,`,
      `${a.number},2026-06-30,13100,`,
      `${b.number},2026-06-30,500,3.2`,
      "NOPE-1,2026-06-30,1,",
      `${b.number},2026-13-01,1,`,
      `${b.number},2026-07-01,abc,`,
      `${a.number},2026-05-31,13201,`,
    ].join("\n");
    const res = await upload(file);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ file: "cycle-07.csv", lines: 7, created: 2, held: 1, refused: 4, unchanged: 0 });
    expect(report.problems).toEqual([
      expect.objectContaining({
        line: 3,
        outcome: "held",
        exception: "negative_usage",
        reason: expect.stringMatching(/lower than the previous reading 13200/),
      }),
      expect.objectContaining({ line: 5, outcome: "refused", reason: "there is no meter NOPE-1" }),
      expect.objectContaining({
        line: 6,
        outcome: "refused",
        reason: 'read_on "2026-13-01" is not a date (YYYY-MM-DD)',
      }),
      expect.objectContaining({
        line: 7,
        outcome: "refused",
        reason: expect.stringMatching(/reading "abc" must be a number/),
      }),
      expect.objectContaining({
        line: 8,
        outcome: "refused",
        reason: `meter ${a.number} has another read on 2026-05-31 in the same batch`,
      }),
    ]);
    expect((await reads(b.number))[0]).toMatchObject({ reading: "500", demand_kw: "3.2", source: "import" });
    const [chunk] = await t.database.rows<{ after: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT after FROM audit_log WHERE action = 'meter_reads.import' AND entity_id = 'cycle-07.csv'`,
    );
    expect(chunk!.after).toMatchObject({ lines: 5, created: 2, held: 1, refused: 2 });
    // The same file again takes nothing twice.
    const again = (await upload(file)).json();
    expect(again).toMatchObject({ created: 0, unchanged: 3 });
  });

  it("refuses a wrong header, and needs reads.import", async () => {
    const bad = await upload("meter,date,reading\nX,2026-06-30,1\n");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/line 1: the header must be "meter_number,read_on,reading"/);
    expect((await upload("meter_number,read_on,reading\n", "csr")).statusCode).toBe(403);
    const asJson = await t.app.inject({
      method: "POST",
      url: "/api/v1/reads/import",
      headers: await t.as("billing_analyst"),
      payload: { csv: "meter_number,read_on,reading\nNOPE-2,2026-06-30,1\n" },
    });
    expect(asJson.json()).toMatchObject({ lines: 1, refused: 1 });
  });
});

describe("interval routes", () => {
  it("imports a Green Button file as the body, shows the days, and exports them", async () => {
    const m = await installedMeter(t, { kind: "interval", intervalMinutes: 60 });
    const xml = (await import("./test-fixtures.js")).sample("1hrLP_32Days.xml");
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/meters/${m.number}/intervals?file_name=1hrLP_32Days.xml`,
      headers: { ...(await t.as("billing_analyst")), "content-type": "application/xml" },
      payload: xml,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().meters[0]).toMatchObject({ intervals: 768, wh: 2_354_843 });
    const days = await t.app.inject({
      method: "GET",
      url: `/api/v1/meters/${m.number}/intervals?from=2012-04-01&to=2012-04-02`,
      headers: await t.as("csr"),
    });
    expect(days.json()).toMatchObject({
      time_zone: "America/Los_Angeles",
      days: [{ day: "2012-04-01", minutes: 60 }, { day: "2012-04-02" }],
    });
    expect(days.json().days[0].wh).toHaveLength(24);
    const out = await t.app.inject({
      method: "GET",
      url: `/api/v1/meters/${m.number}/intervals/greenbutton?from=2012-04-01&to=2012-04-30`,
      headers: await t.as("csr"),
    });
    expect(out.statusCode).toBe(200);
    expect(out.headers["content-type"]).toMatch(/^application\/atom\+xml/);
    expect(out.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/,
    );
    expect(out.body.match(/<IntervalReading>/g)).toHaveLength(720);
    const malformed = await t.app.inject({
      method: "POST",
      url: `/api/v1/meters/${m.number}/intervals`,
      headers: { ...(await t.as("billing_analyst")), "content-type": "application/xml" },
      payload: "<feed><entry></feed>",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0]).toMatchObject({
      field: "file",
      message: expect.stringMatching(/^line 1, column \d+: not well-formed XML/),
    });
    const badRange = await t.app.inject({
      method: "GET",
      url: `/api/v1/meters/${m.number}/intervals/greenbutton?from=2012-04-30&to=2012-04-01`,
      headers: await t.as("csr"),
    });
    expect(badRange.statusCode).toBe(400);
    expect(badRange.json().errors).toEqual([{ field: "to", message: "on or after 2012-04-30" }]);
  });
});
