import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { runCommand } from "../../cli/commands.js";
import { centsToDecimal } from "../../core/money.js";
import { csvLine } from "../../platform/csv.js";
import { captureIO, charge, credit, newAccount } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

describe("daily GL summary", () => {
  it("sums each business date's postings per GL account; each date nets to zero", async () => {
    const account = await newAccount(t);
    await charge(t, account, 10_000);
    await credit(t, account, 4_000);
    t.clock.set("2026-03-03T17:00:00Z");
    await credit(t, account, 2_550);
    t.clock.set("2026-03-02T17:00:00Z");

    const res = await t.app.inject({
      url: "/api/v1/ledger/gl-summary?from=2026-03-02&to=2026-03-03",
      headers: await t.as("supervisor"),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { lines: { business_date: string; gl_account: string; net_cents: number }[] };
    const net = (date: string, gl: string) =>
      body.lines.find((l) => l.business_date === date && l.gl_account === gl)?.net_cents;
    // 2 March: charge Dr 1100 / Cr 4010 10,000; payment Dr 1020 / Cr 2100 4,000, cleared Dr 2100 / Cr 1100 4,000.
    expect(net("2026-03-02", "1100")).toBe(6000);
    expect(net("2026-03-02", "4010")).toBe(-10000);
    expect(net("2026-03-02", "1020")).toBe(4000);
    expect(net("2026-03-02", "2100")).toBe(0);
    expect(net("2026-03-03", "1020")).toBe(2550);
    for (const date of ["2026-03-02", "2026-03-03"]) {
      const lines = body.lines.filter((l) => l.business_date === date);
      expect(lines.reduce((s, l) => s + l.net_cents, 0)).toBe(0);
    }

    const csv = await t.app.inject({
      url: "/api/v1/ledger/gl-summary.csv?from=2026-03-03",
      headers: await t.as("billing_analyst"),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    expect(csv.headers["content-disposition"]).toContain("gl-summary-2026-03-03.csv");
    const records = csv.body.trimEnd().split("\r\n");
    expect(records[0]).toBe(
      "business_date,gl_account,gl_name,gl_type,debit,credit,net,debit_cents,credit_cents,net_cents,postings",
    );
    expect(records).toContain("2026-03-03,1020,Bank clearing,asset,25.50,0.00,25.50,2550,0,2550,1");
  });

  it("covers today's business date when no date is given", async () => {
    const res = await t.app.inject({ url: "/api/v1/ledger/gl-summary", headers: await t.as("supervisor") });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ from: "2026-03-02", to: "2026-03-02" });
    const csv = await t.app.inject({ url: "/api/v1/ledger/gl-summary.csv", headers: await t.as("supervisor") });
    expect(csv.headers["content-disposition"]).toContain("gl-summary-2026-03-02.csv");
  });

  it("is for those who export (a CSR is refused) and names a bad field", async () => {
    const csr = await t.app.inject({ url: "/api/v1/ledger/gl-summary?from=2026-03-02", headers: await t.as("csr") });
    expect(csr.statusCode).toBe(403);
    const headers = await t.as("supervisor");
    const backwards = await t.app.inject({ url: "/api/v1/ledger/gl-summary?from=2026-03-02&to=2026-03-01", headers });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors).toEqual([expect.objectContaining({ field: "to" })]);
    const tooLong = await t.app.inject({ url: "/api/v1/ledger/gl-summary?from=2025-01-01&to=2026-03-01", headers });
    expect(tooLong.statusCode).toBe(400);
    const notADate = await t.app.inject({ url: "/api/v1/ledger/gl-summary.csv?from=2026-02-30", headers });
    expect(notADate.statusCode).toBe(400);
    expect(JSON.stringify(notADate.json().errors)).toContain("from");
  });

  it("prints the CSV from the CLI", async () => {
    const io = captureIO();
    expect(await runCommand(t.ctx, "export gl-summary", { from: "2026-03-03" }, io)).toBe(0);
    expect(io.text().out).toContain("2026-03-03,1020,Bank clearing,asset,25.50,0.00,25.50,2550,0,2550,1");
    const bad = captureIO();
    expect(await runCommand(t.ctx, "export gl-summary", { from: "2026-03-03", to: "2026-03-01" }, bad)).toBe(1);
    expect(bad.text().err).toContain("to");
  });
});

describe("money and CSV for files", () => {
  it("writes cents as dollars exactly", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (cents) => {
        const text = centsToDecimal(cents);
        expect(text).toMatch(/^-?\d+\.\d{2}$/);
        expect(BigInt(text.replace(".", ""))).toBe(cents);
      }),
    );
  });

  it("quotes only what must be quoted", () => {
    expect(csvLine(["a", 1, 2n, null, 'say "hi"', "x,y", " pad"])).toBe('a,1,2,,"say ""hi""","x,y"," pad"\r\n');
  });
});
