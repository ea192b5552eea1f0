import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { openTestDatabase, TEST_KEY } from "../../tests/support/testkit.js";
import { redact } from "./audit.js";
import { fixedClock, systemClock } from "./clock.js";
import { loadConfig } from "./config.js";
import { decryptField, encryptField, keyedHash } from "./crypto.js";
import { DataDirLockedError, dataDirHolder, openEmbedded } from "./db.js";
import { listMigrations, migrate } from "./migrate.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "kw-platform-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("database", () => {
  it("parses types the same way on either engine", async () => {
    const database = await openTestDatabase();
    const [row] = await database.rows(
      database.db,
      sql`SELECT 9007199254740993::int8 AS big, 1.10::numeric AS price, '2026-02-28'::date AS day, '2026-03-08T10:00:00Z'::timestamptz AS at`,
    );
    expect(row).toEqual({ big: 9007199254740993n, price: "1.10", day: "2026-02-28", at: "2026-03-08 10:00:00+00" });
    await database.close();
  });

  it("migrates once: a second run applies nothing, and two runs at once do not collide", async () => {
    const database = await openTestDatabase();
    expect(await migrate(database)).toEqual([]);
    expect(await Promise.all([migrate(database), migrate(database)])).toEqual([[], []]);
    const [count] = await database.rows<{ n: bigint }>(
      database.db,
      sql`SELECT count(*)::int8 AS n FROM kilowatt_migrations`,
    );
    expect(count!.n).toBe(BigInt(listMigrations().length));
    await database.close();
  });

  it("lets one process open an embedded data dir at a time", async () => {
    const dir = path.join(tmp, "data");
    const first = await openEmbedded(dir);
    expect(dataDirHolder(dir)).toBe(process.pid);
    await first.close();
    expect(dataDirHolder(dir)).toBeUndefined();
  }, 60_000);

  it("refuses a data dir held by another live process", async () => {
    const dir = path.join(tmp, "held");
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "kilowatt.lock"), String(process.ppid));
    await expect(openEmbedded(dir)).rejects.toBeInstanceOf(DataDirLockedError);
  });
});

describe("config", () => {
  it("creates an owner-only key file in embedded mode and reuses it", () => {
    const dir = path.join(tmp, "cfg");
    const a = loadConfig({ KILOWATT_DATA_DIR: dir });
    const b = loadConfig({ KILOWATT_DATA_DIR: dir });
    expect(a.dataKey.equals(b.dataKey)).toBe(true);
    expect(statSync(path.join(dir, "data.key")).mode & 0o777).toBe(0o600);
  });

  it("requires a data key on PostgreSQL and names bad settings", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://x/y" })).toThrow(/KILOWATT_DATA_KEY/);
    expect(() => loadConfig({ DATABASE_URL: "postgres://x/y", KILOWATT_DATA_KEY: "abc" })).toThrow(/KILOWATT_DATA_KEY/);
    expect(() => loadConfig({ KILOWATT_DATA_DIR: tmp, PORT: "http" })).toThrow(/PORT/);
    expect(() => loadConfig({ KILOWATT_DATA_DIR: tmp, KILOWATT_TIMEZONE: "Mars/Olympus" })).toThrow(
      /KILOWATT_TIMEZONE/,
    );
    expect(() => loadConfig({ KILOWATT_DATA_DIR: tmp, KILOWATT_NOW: "yesterday" })).toThrow(/KILOWATT_NOW/);
  });
});

describe("clock", () => {
  it("takes business dates in the utility's zone", () => {
    expect(fixedClock("2026-07-01T06:59:00Z").today().toString()).toBe("2026-06-30");
    expect(fixedClock("2026-07-01T07:00:00Z").today().toString()).toBe("2026-07-01");
  });
  it("starts at KILOWATT_NOW and runs on", () => {
    const clock = systemClock("America/Los_Angeles", "2030-01-15T20:00:00Z");
    expect(clock.today().toString()).toBe("2030-01-15");
    expect(clock.now().epochMilliseconds).toBeGreaterThanOrEqual(Date.parse("2030-01-15T20:00:00Z"));
  });
});

describe("secrets", () => {
  it("encrypts and decrypts any identity number, never leaving it in clear", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (plain) => {
        const stored = encryptField(TEST_KEY, plain);
        expect(decryptField(TEST_KEY, stored)).toBe(plain);
        if (plain.length >= 4) expect(Buffer.from(stored, "base64").toString("latin1")).not.toContain(plain);
      }),
    );
  });
  it("hashes with a key: the same number gives the same hash, another key another", () => {
    expect(keyedHash(TEST_KEY, "123456789")).toBe(keyedHash(TEST_KEY, "123456789"));
    expect(keyedHash(TEST_KEY, "123456789")).not.toBe(keyedHash(Buffer.alloc(32, 1), "123456789"));
  });
  it("redacts sensitive fields in audit rows, saying only whether they changed", () => {
    const r = redact({ name: "A", ssn: "x" }, { name: "B", ssn: "y" }, ["ssn"]);
    expect(r).toEqual({
      before: { name: "A", ssn: "[redacted: changed]" },
      after: { name: "B", ssn: "[redacted: changed]" },
    });
    expect(redact({ ssn: "x" }, { ssn: "x" }, ["ssn"]).after).toEqual({ ssn: "[redacted]" });
  });
});
