import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { runCommand } from "../../cli/commands.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { captureIO } from "../ledger/test-fixtures.js";

let t: TestApp;
const dir = mkdtempSync(path.join(os.tmpdir(), "kilowatt-rates-cli-"));
beforeAll(async () => {
  t = await testApp({ now: "2026-07-15T17:00:00Z" });
  await seedDemoTariffs(t.ctx);
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, content: unknown) => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
};

async function cli(name: string, args: Record<string, unknown>) {
  const io = captureIO();
  const code = await runCommand(t.ctx, name, args, io);
  return { code, ...io.text() };
}

const streetlights = (versions: { effective_from: string; price: string }[]) => ({
  format: "kilowatt-tariff/1",
  code: "LS-TEST",
  name: "Street lights (test)",
  sector: "lighting",
  versions: versions.map((v) => ({ effective_from: v.effective_from, energy: { all: [{ price: v.price }] } })),
});

const hourly = (fromIso: string, hours: number) =>
  `start,kwh\n${Array.from({ length: hours }, (_, h) => `${new Date(Date.parse(fromIso) + h * 3_600_000).toISOString()},0.5`).join("\n")}\n`;

describe("kilowatt tariff", () => {
  it("lists the book as JSON or a table, and shows one tariff", async () => {
    const list = await cli("tariff list", {});
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).items.map((i: { code: string }) => i.code)).toEqual([
      "A-1",
      "B-1",
      "E-1",
      "E-TOU-C",
      "EV2-A",
    ]);
    const table = await cli("tariff list", { format: "table" });
    expect(table.out.split("\n")[0]).toMatch(/^code\s+name\s+sector\s+origin\s+in force from\s+versions\s+features$/);
    expect(table.out).toMatch(
      /E-TOU-C\s+Residential Time-of-Use .* residential\s+kilowatt\s+2026-03-01\s+\d+\s+baseline, time of use/,
    );
    const show = await cli("tariff show", { code: "B-1" });
    expect(JSON.parse(show.out)).toMatchObject({ code: "B-1", document: { code: "B-1" }, features: { demand: true } });
    const missing = await cli("tariff show", { code: "NOPE-1" });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/tariff NOPE-1 was not found/);
  });

  it("imports a tariff file, then only the versions the book lacks; a changed version is refused", async () => {
    const first = file("ls-1.json", streetlights([{ effective_from: "2026-01-01", price: "0.15" }]));
    const created = await cli("tariff import", { file: first });
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toEqual({ code: "LS-TEST", created: true, added: ["2026-01-01"], unchanged: [] });
    expect((await cli("tariff import", { file: first })).out).toContain('"unchanged": [\n    "2026-01-01"\n  ]');
    const second = file(
      "ls-2.json",
      streetlights([
        { effective_from: "2026-01-01", price: "0.15" },
        { effective_from: "2026-09-01", price: "0.17" },
      ]),
    );
    const added = await cli("tariff import", { file: second });
    expect(JSON.parse(added.out)).toEqual({
      code: "LS-TEST",
      created: false,
      added: ["2026-09-01"],
      unchanged: ["2026-01-01"],
    });
    expect(added.err).toMatch(/added version\(s\) 2026-09-01/);
    const changed = file("ls-3.json", streetlights([{ effective_from: "2026-01-01", price: "0.16" }]));
    const refused = await cli("tariff import", { file: changed });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/already has a version effective 2026-01-01 with other prices/);
    const bad = await cli("tariff import", { file: file("ls-bad.json", { ...streetlights([]), versions: [] }) });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/versions/);
    const notJson = await cli("tariff import", { file: file("ls-not.json", "{ nope") });
    expect(notJson.err).toMatch(/is not JSON/);
  });

  it("imports URDB records under a code", async () => {
    const fixture = JSON.parse(
      readFileSync(new URL("../../core/rates/urdb-fixtures/coned-sc-1-zone-i.json", import.meta.url), "utf8"),
    ).record;
    const res = await cli("tariff import-urdb", { file: file("urdb.json", [fixture]), code: "SC-1-URDB" });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out).imported).toEqual([
      { code: "SC-1-URDB", name: fixture.name, effective_from: "2025-02-01" },
    ]);
  });
});

describe("kilowatt bill quote", () => {
  const july = { from: "2026-07-01", to: "2026-07-30" };

  it("prints the bill's lines and total for a code in the book", async () => {
    const res = await cli("bill quote", { tariff: "E-1", kwh: "500", territory: "T", ...july });
    expect(res.code).toBe(0);
    const q = JSON.parse(res.out);
    expect(q.total_cents).toBe(21143);
    expect(q.lines[0]).toEqual({
      description: "Base Services Charge",
      quantity: "30",
      unit: "day",
      price: "0.79343",
      amount_cents: 2380,
      kind: "customer_charge",
      rule: "E-1@2026-06-01 customer_charge",
    });
    const table = await cli("bill quote", {
      tariff: "E-1",
      kwh: "500",
      territory: "T",
      care: true,
      format: "table",
      ...july,
    });
    expect(table.out).toMatch(/^line\s+quantity\s+unit\s+price\s+amount$/m);
    expect(table.out).toMatch(/CARE discount .*-65\.67$/m);
    expect(table.out).toMatch(/^Total\s+127\.87$/m);
    expect(table.err).toMatch(/E-1 2026-07-01\.\.2026-07-30 \(30 days, 500 kWh\): \$127\.87/);
  });

  it("prices a tariff file, a URDB record file and interval data", async () => {
    const doc = file("flat.json", streetlights([{ effective_from: "2026-01-01", price: "0.10" }]));
    const own = await cli("bill quote", { tariffFile: doc, kwh: "123.4", ...july });
    expect(JSON.parse(own.out)).toMatchObject({ tariff_code: "LS-TEST", total_cents: 1234 });
    const record = JSON.parse(
      readFileSync(new URL("../../core/rates/urdb-fixtures/coned-sc-1-zone-i.json", import.meta.url), "utf8"),
    ).record;
    const urdb = await cli("bill quote", {
      tariffFile: file("record.json", record),
      kwh: "300",
      from: "2025-03-01",
      to: "2025-03-31",
    });
    expect(urdb.code).toBe(0);
    expect(JSON.parse(urdb.out).total_cents).toBeGreaterThan(0);
    const intervals = file("july.csv", hourly("2026-07-01T00:00:00-07:00", 48));
    const ev = await cli("bill quote", { tariff: "EV2-A", intervals, from: "2026-07-01", to: "2026-07-02" });
    expect(ev.code).toBe(0);
    expect(JSON.parse(ev.out).kwh).toBe("24");
  });

  it("names the option that is wrong", async () => {
    const none = await cli("bill quote", { tariff: "E-1", territory: "T", ...july });
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/--kwh: give exactly one of kwh, intervals and intervals_csv/);
    const territory = await cli("bill quote", { tariff: "E-1", kwh: "5", ...july });
    expect(territory.err).toMatch(/territory/);
    const missing = await cli("bill quote", { tariff: "NOPE-1", kwh: "5", ...july });
    expect(missing.err).toMatch(/tariff NOPE-1 was not found/);
  });
});

describe("kilowatt rates compare", () => {
  it("compares months from a CSV, or interval data, on the sector's tariffs", async () => {
    const months = file(
      "months.csv",
      "from,to,kwh\n2026-06-01,2026-06-30,420\n2026-07-01,2026-07-31,610\n\n2026-08-01,2026-08-31,580\n",
    );
    const res = await cli("rates compare", { usage: months, territory: "X" });
    expect(res.code).toBe(0);
    const c = JSON.parse(res.out);
    expect(c.rows.map((r: { tariff_code: string }) => r.tariff_code)).toEqual(
      expect.arrayContaining(["E-1", "E-TOU-C", "EV2-A"]),
    );
    const table = await cli("rates compare", { usage: months, format: "table" });
    expect(table.out).toMatch(/^tariff\s+name\s+total\s+basis$/m);
    expect(table.out).toMatch(/^not offered: E-1: .*territory/m);
    const intervals = file("intervals.csv", hourly("2026-07-31T00:00:00-07:00", 48));
    const byIntervals = JSON.parse((await cli("rates compare", { usage: intervals, territory: "T" })).out);
    expect(byIntervals.rows[0].months).toHaveLength(2);
    expect(byIntervals.rows[0].basis).toBe("intervals");
    const commercial = JSON.parse((await cli("rates compare", { usage: months, sector: "commercial" })).out);
    expect(commercial.rows.map((r: { tariff_code: string }) => r.tariff_code).sort()).toEqual(["A-1", "B-1"]);
  });

  it("names the file's line that is wrong", async () => {
    const bad = file("bad.csv", "from,to,kwh\n2026-06-01,2026-06-30,420\n2026-07-01,2026-07-31,lots\n");
    const res = await cli("rates compare", { usage: bad });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/--usage line 3 \(kwh\)/);
    const header = await cli("rates compare", { usage: file("header.csv", "month,kwh\n") });
    expect(header.err).toMatch(/line 1: the header must be/);
  });
});

// The real `kilowatt` command beside a server that holds the embedded data dir: the commands go through the server.
const run = promisify(execFile);
const main = path.resolve("src/cli/main.ts");

describe.skipIf(Boolean(process.env.DATABASE_URL))("the rates commands through the embedded server", () => {
  let server: ChildProcess | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "kilowatt-rates-serve-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    PORT: "0",
    KILOWATT_DATA_DIR: dataDir,
  };
  delete env.DATABASE_URL;
  delete env.KILOWATT_NOW;
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("loads the demo tariffs on first start and answers tariff list and bill quote through the server", async () => {
    server = spawn(process.execPath, ["--import", "tsx", main, "serve", "--seed-if-empty", "20"], {
      env,
      stdio: "pipe",
    });
    let err = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start:\n${err}`)), 90_000);
      server!.stderr!.on("data", (chunk: Buffer) => {
        err += chunk.toString();
        if (/serving http:\/\/localhost:\d+/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
      server!.on("exit", (code) => reject(new Error(`the server exited (${code}):\n${err}`)));
    });
    expect(err).toMatch(/demo tariffs added to the tariff book: E-1, E-TOU-C, EV2-A, A-1, B-1/);
    const kilowatt = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", main, ...args], { env, timeout: 90_000 });

    const list = await kilowatt(["tariff", "list", "--format", "table"]);
    expect(list.stdout).toMatch(/^EV2-A\s+Home Charging/m);
    const quote = await kilowatt([
      "bill",
      "quote",
      "--tariff",
      "E-1",
      "--kwh",
      "500",
      "--from",
      "2026-07-01",
      "--to",
      "2026-07-30",
      "--territory",
      "T",
      "--care",
    ]);
    expect(JSON.parse(quote.stdout)).toMatchObject({ tariff_code: "E-1", total_cents: 12787 });
    const tariffFile = path.join(dataDir, "A-1-copy.json");
    copyFileSync(new URL("../../seed/tariffs/A-1.json", import.meta.url), tariffFile);
    const byFile = await kilowatt([
      "bill",
      "quote",
      "--tariff",
      tariffFile,
      "--kwh",
      "100",
      "--from",
      "2026-07-01",
      "--to",
      "2026-07-31",
      "--format",
      "table",
    ]);
    expect(byFile.stdout).toMatch(/^Total\s+51\.68$/m);
    const refused = await kilowatt([
      "bill",
      "quote",
      "--tariff",
      "E-1",
      "--kwh",
      "5",
      "--from",
      "2026-07-01",
      "--to",
      "2026-07-30",
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/territory/);
  }, 180_000);
});
