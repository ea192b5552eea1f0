import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { runCommand } from "../../cli/commands.js";
import { captureIO } from "../ledger/test-fixtures.js";
import { dayRows, installedMeter } from "./test-fixtures.js";

// `kilowatt reads import`, `kilowatt intervals import` and `kilowatt intervals export`, run as the CLI runs them.

let t: TestApp;
const dir = mkdtempSync(path.join(os.tmpdir(), "kilowatt-metering-cli-"));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/greenbutton/${name}`, import.meta.url));
beforeAll(async () => {
  t = await testApp({ now: "2026-07-15T17:00:00Z" });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(name: string, args: Record<string, unknown>) {
  const io = captureIO();
  const code = await runCommand(t.ctx, name, args, io);
  return { code, ...io.text() };
}
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe("kilowatt reads import", () => {
  it("imports a reads file and reports each held or refused line on stderr", async () => {
    const m = await installedMeter(t);
    const res = await cli("reads import", {
      file: file(
        "reads.csv",
        `meter_number,read_on,reading\n${m.number},2026-05-31,1000\n${m.number},2026-06-30,900\n${m.number},2026-07-20,1\n`,
      ),
    });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ file: "reads.csv", lines: 3, created: 1, held: 1, refused: 1 });
    expect(res.err).toMatch(new RegExp(`line 3 \\(${m.number} 2026-06-30\\): held: reading 900 is lower`));
    expect(res.err).toMatch(/line 4 .*: refused: read_on 2026-07-20 is after today/);
    expect(res.err).toMatch(/3 lines: 1 created, 1 held, 0 already on file, 1 refused/);
    const missing = await cli("reads import", { file: path.join(dir, "nope.csv") });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read .*nope\.csv: ENOENT/);
  });
});

describe("kilowatt intervals", () => {
  it("imports a Green Button file to a meter, exports it, and the export imports back the same", async () => {
    const a = await installedMeter(t, { kind: "interval", intervalMinutes: 60 });
    const imported = await cli("intervals import", { file: fixture("1hrLP_32Days.xml"), meter: a.number });
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out).meters[0]).toMatchObject({ intervals: 768, kwh: "2354.843" });
    expect(imported.err).toMatch(
      new RegExp(`meter ${a.number}: 768 intervals of 60 minutes over 33 days, 2354.843 kWh`),
    );
    const exported = await cli("intervals export", { meter: a.number, from: "2012-03-31", to: "2012-05-02" });
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/^<\?xml/);
    const b = await installedMeter(t, { kind: "interval", intervalMinutes: 60 });
    const back = await cli("intervals import", { file: file("export.xml", exported.out), meter: b.number });
    expect(back.code).toBe(0);
    expect(await dayRows(t, b.meterId)).toEqual(await dayRows(t, a.meterId));
  });

  it("imports the batch feed with usage points mapped to meters, and CSV per meter", async () => {
    const x = await installedMeter(t, { kind: "interval", intervalMinutes: 15 });
    const y = await installedMeter(t, { kind: "interval", intervalMinutes: 15 });
    const res = await cli("intervals import", {
      file: fixture("BatchFeedThreeUsagePoints_M.xml"),
      usagePoint: [`4284792=${x.number}`, `4284793=${y.number}`],
    });
    expect(res.code).toBe(0);
    expect(res.err).toMatch(/not stored: MeterReading .*4284792\/MeterReading\/2 .* energy received/);
    const csv = await cli("intervals import", {
      file: file("q.csv", "start,kwh\n2026-07-01T00:00:00-07:00,0.25\n"),
      meter: x.number,
    });
    expect(JSON.parse(csv.out).meters[0]).toMatchObject({ intervals: 1, wh: 250 });
    const refused = await cli("intervals import", { file: file("bad.xml", "<feed><entry></feed>"), meter: x.number });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/error: the Green Button file is not valid: line 1, column \d+: not well-formed XML/);
  });
});
