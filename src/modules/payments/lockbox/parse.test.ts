import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountNumberFromBase } from "../../../core/account-number.js";
import { dollarsToCents } from "./amounts.js";
import { detectFormat, parseLockbox } from "./parse.js";
import { parseLockboxBai2 } from "./parse-bai2.js";
import { parseLockboxCsv, splitCsvLine } from "./parse-csv.js";
import { type LockboxParse, MAX_LISTED_ERRORS } from "./parsed.js";
import { type LockboxRow, lockboxBai2, lockboxCsv } from "./write.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(here, "fixtures", name)));
const bytes = (text: string) => new TextEncoder().encode(text);

function ok(result: LockboxParse) {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.file;
}
function refused(result: LockboxParse) {
  if (result.ok) throw new Error("the file was accepted");
  return result;
}

const samplePayments = [
  { line: 2, accountNumber: "1234567897", amountCents: 12550n, checkNumber: "1042", remitter: "JANE DOE" },
  { line: 3, accountNumber: "2345678912", amountCents: 8000n, checkNumber: "5511", remitter: 'SMITH, JOHN "JACK"' },
  { line: 4, accountNumber: null, amountCents: 4200n, checkNumber: "77", remitter: "NO STUB" },
  { line: 5, accountNumber: "1234567890", amountCents: 1999n, checkNumber: "300", remitter: "WRONG CHECK DIGIT" },
];

describe("the lockbox CSV layout", () => {
  it("reads the sample: quoted fields, whole dollars, a stub without a number, a bad check digit (not a file error)", () => {
    const file = ok(parseLockboxCsv(fixture("sample.csv")));
    expect(file).toMatchObject({ format: "csv", depositDate: "2026-03-02", totalCents: 26749n });
    expect(file.payments).toEqual(samplePayments.map((p) => ({ ...p, depositDate: "2026-03-02" })));
  });

  it("refuses a file with malformed lines, naming every one with its line and column", () => {
    const { errors, errorCount } = refused(parseLockboxCsv(fixture("bad.csv")));
    expect(errorCount).toBe(errors.length);
    expect(errors).toEqual([
      { line: 2, column: "amount", message: expect.stringMatching(/3 decimals/) },
      { line: 3, column: "account_number", message: expect.stringMatching(/10 digits/) },
      { line: 4, column: "amount", message: "must be more than zero" },
      { line: 5, column: "deposit_date", message: expect.stringMatching(/not a date/) },
      { line: 6, message: expect.stringMatching(/quoted field is not closed/) },
      { line: 8, message: expect.stringMatching(/no amount/) },
    ]);
  });

  it("needs a header row with the required columns, in any order, ignoring others", () => {
    expect(refused(parseLockboxCsv(bytes("1234567897,10.00\n"))).errors[0]).toMatchObject({ line: 1 });
    expect(refused(parseLockboxCsv(bytes(""))).errors[0]!.message).toMatch(/no header row/);
    expect(refused(parseLockboxCsv(bytes("amount,account_number\n10.00,1234567897\n"))).errors[0]!.message).toMatch(
      /lacks deposit_date/,
    );
    const file = ok(
      parseLockboxCsv(bytes("\uFEFFAmount,Lockbox,Account_Number,Deposit_Date\r\n10.00,77,1234567897,2026-03-01\r\n")),
    );
    expect(file.payments).toEqual([
      {
        line: 2,
        accountNumber: "1234567897",
        amountCents: 1000n,
        checkNumber: null,
        remitter: null,
        depositDate: "2026-03-01",
      },
    ]);
    expect(refused(parseLockboxCsv(bytes("deposit_date,account_number,amount\n"))).errors[0]!.message).toMatch(
      /no payments/,
    );
  });

  it("takes dollars with exactly two decimals or whole dollars, and nothing else", () => {
    expect(dollarsToCents("125.50")).toEqual({ cents: 12550n });
    expect(dollarsToCents("125")).toEqual({ cents: 12500n });
    for (const bad of ["125.5", "125.505", "-1.00", "1,250.00", "$5.00", "1e3", "", "0", "0.00", ".50"]) {
      expect(dollarsToCents(bad)).toHaveProperty("error");
    }
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 9_999_999_999n }), (cents) => {
        const text = `${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;
        expect(dollarsToCents(text)).toEqual({ cents });
        if (cents % 100n === 0n) expect(dollarsToCents(String(cents / 100n))).toEqual({ cents });
        expect(dollarsToCents(`${text}0`)).toHaveProperty("error");
      }),
    );
  });

  it("splits quoted fields as RFC 4180 says", () => {
    expect(splitCsvLine('a,"b,c","d ""e""",')).toEqual({ fields: ["a", "b,c", 'd "e"', ""] });
    expect(splitCsvLine('a,b"c')).toHaveProperty("error");
    expect(splitCsvLine('"a"b')).toHaveProperty("error");
  });

  it("caps the listed problems but counts them all", () => {
    const lines = ["deposit_date,account_number,amount"];
    for (let i = 0; i < 250; i++) lines.push("2026-03-02,1234567897,1.001");
    const { errors, errorCount } = refused(parseLockboxCsv(bytes(lines.join("\n"))));
    expect(errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(errorCount).toBe(250);
    expect(errors[99]!.line).toBe(101);
  });
});

describe("the BAI2 layout", () => {
  it("reads the sample: account number in the customer reference, check number in the bank reference", () => {
    const file = ok(parseLockboxBai2(fixture("sample.bai2")));
    expect(file).toMatchObject({ format: "bai2", depositDate: "2026-03-02", totalCents: 26749n });
    const lines = [4, 5, 7, 8];
    expect(file.payments).toEqual(
      samplePayments.map((p, i) => ({
        ...p,
        line: lines[i],
        remitter: i === 1 ? "SMITH JOHN JACK" : p.remitter,
        depositDate: "2026-03-02",
      })),
    );
  });

  it("refuses a file cut off before its 99 trailer, naming the last line", () => {
    const { errors } = refused(parseLockboxBai2(fixture("truncated.bai2")));
    expect(errors).toEqual([{ line: 8, message: expect.stringMatching(/without its 99 file trailer/) }]);
  });

  it("refuses a file whose control totals or record counts do not match, naming the trailer", () => {
    const { errors } = refused(parseLockboxBai2(fixture("bad-total.bai2")));
    expect(errors).toEqual([{ line: 11, column: "control_total", message: expect.stringMatching(/53499 cents/) }]);
    const text = new TextDecoder().decode(fixture("sample.bai2")).replace("49,53498,7/", "49,53498,6/");
    expect(refused(parseLockboxBai2(bytes(text))).errors).toEqual([
      { line: 9, column: "number_of_records", message: expect.stringMatching(/says 6 records, but there are 7/) },
    ]);
    // A detail dropped in transit: the account, group and file totals all disagree.
    const dropped = new TextDecoder()
      .decode(fixture("sample.bai2"))
      .split("\n")
      .filter((_l, i) => i !== 6)
      .join("\n");
    expect(refused(parseLockboxBai2(bytes(dropped))).errors.map((e) => e.line)).toEqual([8, 8, 9, 9, 10, 10]);
  });

  it("collects every problem with its line and field", () => {
    const text = [
      "01,BANK,KILOWATT,260302,0600,1,,,2/",
      "02,KILOWATT,BANK,1,261302,0600,USD,2/",
      "03,000123456789,USD/",
      "16,116,12.50,0,1042,1234567897,JANE DOE",
      "16,115,100,0,1043,1234567897,A DEPOSIT",
      "16,116,100,Q,1044,1234567897,ODD FUNDS TYPE",
      "16,116,100,0,1045,ABC,LETTERS",
      "49,300,6/",
      "98,300,1,8/",
      "99,300,1,10/",
    ].join("\n");
    const { errors } = refused(parseLockboxBai2(bytes(text)));
    expect(errors).toEqual([
      { line: 2, column: "as_of_date", message: expect.any(String) },
      { line: 4, column: "amount", message: expect.stringMatching(/whole cents/) },
      { line: 5, column: "type_code", message: expect.stringMatching(/type 116/) },
      { line: 6, column: "funds_type", message: expect.any(String) },
      { line: 7, column: "customer_reference", message: expect.stringMatching(/10 digits/) },
    ]);
  });

  it("reads funds types with their own fields (V, S, D) and text on 88 continuations", () => {
    const text = [
      "01,BANK,KILOWATT,260302,0600,1,,,2/",
      "02,KILOWATT,BANK,1,260301,0600,,2/",
      "03,000123456789,USD,,,,/",
      "16,116,100,V,260302,0900,11,1234567897,A, B/",
      "16,116,200,S,200,0,0,12,1234567897,C",
      "88,D",
      "16,116,300,D,2,0,100,1,200,13,,E",
      "49,600,6/",
      "98,600,1,8/",
      "99,600,1,10/",
    ].join("\n");
    const file = ok(parseLockboxBai2(bytes(text)));
    expect(file.depositDate).toBe("2026-03-01");
    expect(file.payments.map((p) => [p.line, p.amountCents, p.checkNumber, p.accountNumber, p.remitter])).toEqual([
      [4, 100n, "11", "1234567897", "A, B"],
      [5, 200n, "12", "1234567897", "C D"],
      [7, 300n, "13", null, "E"],
    ]);
  });

  it("refuses records after the 99 trailer and records out of place", () => {
    const sample = new TextDecoder().decode(fixture("sample.bai2"));
    expect(refused(parseLockboxBai2(bytes(`${sample}16,116,1,0,1,1234567897,X\n`))).errors[0]).toMatchObject({
      line: 12,
      message: expect.stringMatching(/after the 99 file trailer/),
    });
    expect(refused(parseLockboxBai2(bytes(sample.replace("01,", "07,")))).errors[0]!.line).toBe(1);
  });
});

describe("formats", () => {
  it("infers BAI2 from its 01 header, else CSV", () => {
    expect(detectFormat(fixture("sample.bai2"))).toBe("bai2");
    expect(detectFormat(fixture("sample.csv"))).toBe("csv");
    expect(detectFormat(bytes("\uFEFF\r\n01,BANK"))).toBe("bai2");
    expect(parseLockbox(fixture("sample.bai2"), "csv").ok).toBe(false);
  });

  const row = fc.record({
    accountNumber: fc.option(
      fc.integer({ min: 100_000_000, max: 999_999_999 }).map((b) => accountNumberFromBase(b)),
      { nil: null },
    ),
    amountCents: fc.bigInt({ min: 1n, max: 9_999_999_999n }),
    checkNumber: fc.option(fc.stringMatching(/^[0-9A-Z]{1,12}$/), { nil: null }),
    remitter: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z ,.'"&/-]{0,40}[A-Za-z.]$/), { nil: null }),
  });

  it("reads back what the writers write, in both layouts (property)", () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (rows: LockboxRow[]) => {
        const csv = ok(parseLockbox(bytes(lockboxCsv("2026-03-02", rows))));
        const bai = ok(parseLockbox(bytes(lockboxBai2("2026-03-02", rows))));
        const total = rows.reduce((s, r) => s + r.amountCents, 0n);
        expect(csv.totalCents).toBe(total);
        expect(bai.totalCents).toBe(total);
        const want = rows.map((r) => [r.accountNumber, r.amountCents, r.checkNumber]);
        expect(csv.payments.map((p) => [p.accountNumber, p.amountCents, p.checkNumber])).toEqual(want);
        expect(bai.payments.map((p) => [p.accountNumber, p.amountCents, p.checkNumber])).toEqual(want);
        expect(csv.payments.map((p) => p.remitter)).toEqual(rows.map((r) => r.remitter?.trim() || null));
        expect(csv.payments.map((p) => p.line)).toEqual(rows.map((_r, i) => i + 2));
        expect(bai.payments.map((p) => p.line)).toEqual(rows.map((_r, i) => i + 4));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses any BAI2 file cut short, at any line (property)", () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), fc.nat(), (rows, cut) => {
        const lines = lockboxBai2("2026-03-02", rows).trimEnd().split("\n");
        const kept = lines.slice(0, cut % lines.length);
        const result = parseLockboxBai2(bytes(kept.join("\n")));
        expect(result.ok).toBe(false);
      }),
    );
  });
});
