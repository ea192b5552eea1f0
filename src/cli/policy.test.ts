import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../tests/support/testkit.js";
import { seedUtility } from "../seed/seed.js";
import { runCommand } from "./commands.js";

// `kilowatt policy explain` as the CLI (or the server, for the CLI) runs it: JSON on stdout, a line per decision on
// stderr for people, bad input refused with the option named.
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  await seedUtility(t.ctx, { accounts: 12, seed: 8 });
}, 120_000);
afterAll(async () => t?.close());

async function kilowatt(name: string, args: unknown) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: "", err: "" };
  out.on("data", (d) => {
    chunks.out += String(d);
  });
  err.on("data", (d) => {
    chunks.err += String(d);
  });
  const code = await runCommand(t.ctx, name, args, { out, err });
  return { code, ...chunks };
}

describe("kilowatt policy explain", () => {
  it("prints every decision for the account as JSON, with its rule, facts and explanation", async () => {
    const [account] = await t.database.rows<{ account_number: string }>(
      t.database.db,
      sql`SELECT account_number FROM accounts WHERE status = 'active' ORDER BY id LIMIT 1`,
    );
    const run = await kilowatt("policy explain", { account: account!.account_number, date: "2026-03-01" });
    expect(run.code, run.err).toBe(0);
    const printed = JSON.parse(run.out);
    expect(printed).toMatchObject({
      account_number: account!.account_number,
      as_of: "2026-03-01",
      profile: "municipal",
    });
    expect(printed.decisions.map((d: { rule_id: string }) => d.rule_id.split(".").slice(0, 2).join("."))).toEqual([
      "credit.rating",
      "deposit.establishment",
      "collections.current",
      "collections.amp",
      "level_pay.no_bills",
    ]);
    for (const d of printed.decisions) {
      expect(d.explanation).toMatch(/\.$/);
      expect(Object.keys(d.facts).length).toBeGreaterThan(0);
      expect(run.err).toContain(`${d.rule_id}: ${d.explanation}`);
    }
    const iou = JSON.parse(
      (await kilowatt("policy explain", { account: account!.account_number, profile: "iou" })).out,
    );
    expect(iou.decisions[1].rule_id).toBe("deposit.establishment.not_allowed");
  });

  it("refuses an unknown account, a malformed number and a bad date, naming what is wrong", async () => {
    expect(await kilowatt("policy explain", { account: "0000000000" })).toMatchObject({ code: 1, out: "" });
    const malformed = await kilowatt("policy explain", { account: "12" });
    expect(malformed.code).toBe(1);
    expect(malformed.err).toMatch(/--account: a 10-digit account number/);
    const [account] = await t.database.rows<{ account_number: string }>(
      t.database.db,
      sql`SELECT account_number FROM accounts ORDER BY id LIMIT 1`,
    );
    const date = await kilowatt("policy explain", { account: account!.account_number, date: "March 1" });
    expect(date.code).toBe(1);
    expect(date.err).toMatch(/"field":"date"/);
  });
});

describe("kilowatt collections agency-file", () => {
  it("says there is none yet, then prints the newest placement file or writes it where --out says", async () => {
    const none = await kilowatt("collections agency-file", {});
    expect(none).toMatchObject({ code: 1, out: "" });
    expect(none.err).toMatch(/no placement file yet/);
    const text = "account_number,amount\r\n1234567897,300.00\r\n";
    await t.database.rows(
      t.database.db,
      sql`INSERT INTO agency_files (on_date, agency, format, record_count, total_cents, content)
          VALUES ('2026-03-01', 'Sandbox Recovery Agency', 'csv', 1, 30000, ${text})`,
    );
    expect(await kilowatt("collections agency-file", {})).toMatchObject({ code: 0, out: text });
    const out = path.join(await mkdtemp(path.join(tmpdir(), "kw-agency-")), "placement.csv");
    const written = await kilowatt("collections agency-file", { out });
    expect(written.code).toBe(0);
    expect(await readFile(out, "utf8")).toBe(text);
    const bad = await kilowatt("collections agency-file", { id: "x" });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--id/);
  });
});
