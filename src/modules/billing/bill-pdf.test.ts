import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { isValidAccountNumber } from "../../core/account-number.js";
import { putSetting } from "../../platform/settings.js";
import { seedDemoTariffs } from "../../seed/tariffs.js";
import { flatLines, insertBill, insertMonthlyBills, pageCount, pdfText } from "./bill-fixtures.js";
import { type BillLine, billPdf, readScanLine, scanLine } from "./index.js";

let t: TestApp;
let account = { account_id: 0, service_agreement_id: 0 };
let accountNumber = "";
let july = { id: 0, total_cents: 0n, amount_due_cents: 0n };
let julyLines: BillLine[] = [];

const get = async (url: string, role = "csr") => t.app.inject({ method: "GET", url, headers: await t.as(role) });

async function pdfOf(id: number) {
  const res = await get(`/api/v1/bills/${id}/pdf`);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers["content-type"]).toBe("application/pdf");
  expect(res.headers["content-disposition"]).toBe(`inline; filename="bill-${id}.pdf"`);
  const pdf = res.rawPayload;
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(pdf.subarray(-6).toString("latin1")).toMatch(/%%EOF/);
  return { pdf, text: pdfText(pdf) };
}

beforeAll(async () => {
  t = await testApp({ now: "2026-08-05T17:00:00Z" });
  await seedDemoTariffs(t.ctx);
  await putSetting(t.ctx, "payments.receipt.utility_name", {
    effective_from: "2026-01-01",
    value: "City of Riverbend Electric",
  });
  await putSetting(t.ctx, "billing.remittance_address", {
    effective_from: "2026-01-01",
    value: ["City of Riverbend Electric", "PO Box 4410", "Riverbend CA 95999-4410"],
  });
  const c = await newCustomer(t);
  account = { account_id: c.account.id, service_agreement_id: c.service_agreement.id };
  accountNumber = c.account.account_number;
  await insertMonthlyBills(t.database, account, "2025-07", 12, (i) => String(380 + i * 15));
  // July's lines as the rate engine prices 600 kWh on E-1 in baseline territory T.
  const quote = await t.app.inject({
    method: "POST",
    url: "/api/v1/rates/quote",
    headers: await t.as("csr"),
    payload: { tariff_code: "E-1", from: "2026-07-01", to: "2026-07-30", kwh: "600", territory: "T" },
  });
  expect(quote.statusCode, quote.body).toBe(200);
  julyLines = quote.json().lines;
  july = await insertBill(t.database, {
    ...account,
    period_from: "2026-07-01",
    period_to: "2026-07-30",
    kwh: "600",
    lines: julyLines,
    prior_balance_cents: 4_321n,
    payments_since_cents: 20_000n,
    messages: ["Your bill includes the California Climate Credit."],
  });
});
afterAll(async () => t?.close());

describe("the bill document", () => {
  it("is one LETTER page: utility, account, service address, period, reads, lines, totals, stub", async () => {
    const { pdf, text } = await pdfOf(july.id);
    expect(pageCount(pdf)).toBe(1);
    expect(pdf.toString("latin1")).toContain("/MediaBox [0 0 612 792]");
    expect(text).toContain("City of Riverbend Electric");
    expect(text).toContain("Your electric bill");
    expect(text).toContain(accountNumber);
    expect(text).toContain("Maria Lopez");
    expect(text).toContain("1200 J St, Sacramento CA 95814");
    expect(text).toContain("2026-07-01 to 2026-07-30");
    expect(text).toContain("2026-08-21"); // due date
    expect(text).toContain("Electric service: E-1 Residential Services");
    expect(text).toContain("Service period 2026-07-01 to 2026-07-30 (30 days)");
    expect(text).toContain("10,600 on 2026-07-30"); // the current read
    for (const l of julyLines) expect(text).toContain(l.description);
    const amount = (c: bigint) => `$${c / 100n}.${String(c % 100n).padStart(2, "0")}`;
    expect(text).toContain(amount(july.total_cents));
    expect(text).toContain(amount(july.amount_due_cents));
    expect(text).toContain("Payments and credits, thank you");
    expect(text).toContain("-$200.00");
    expect(text).toContain("Your bill includes the California Climate Credit.");
    // The chart: 13 months, Jul 25 to Jul 26, with this bill's kWh over its bar.
    expect(text).toContain("Your electricity use, last 13 months (kWh)");
    expect(text).toContain("Jul 25");
    expect(text).toContain("Jul 26");
    expect(text).toContain("20.0 kWh a day this period");
    // The stub: where to mail it, and the scan line with the account number and the amount due.
    expect(text).toContain("PO Box 4410");
    expect(text).toContain("Amount enclosed");
    const line = scanLine(accountNumber, july.amount_due_cents);
    expect(line).toBe(`${accountNumber} ${String(july.amount_due_cents).padStart(10, "0")} ${line.slice(-1)}`);
    expect(text).toContain(line);
    expect(text).toContain("Page 1 of 1");

    // The same text uncompressed.
    const plain = await billPdf(t.ctx, july.id, { compress: false });
    expect(pdfText(plain)).toBe(text);
    expect(plain.toString("latin1")).not.toContain("FlateDecode");
  });

  it("goes on to a second page when the lines do not fit above the stub", async () => {
    const extra = (sa: number, code: string) => ({
      sa_id: sa,
      tariff_code: code,
      tariff_name: "Small General Service",
      meter_number: `M-${sa}`,
      period: { from: "2026-07-01", to: "2026-07-30" },
      days: 30,
      reads: { start: null, end: { read_on: "2026-07-30", reading: "5000", kind: "estimated" } },
      kwh: "1200",
      lines: Array.from(
        { length: 9 },
        (_, i): BillLine => ({
          ...flatLines("2026-07-01", "2026-07-30", "100")[1]!,
          description: `Energy block ${i + 1}`,
        }),
      ),
      total_cents: 9 * 4070,
    });
    const big = await insertBill(t.database, {
      ...account,
      period_from: "2026-08-01",
      period_to: "2026-08-30",
      kwh: "3000",
      more_agreements: [extra(901, "A-1"), extra(902, "A-1")],
      messages: ["One.", "Two.", "Three."],
    });
    const { pdf, text } = await pdfOf(big.id);
    expect(pageCount(pdf)).toBe(2);
    expect(text).toContain(`City of Riverbend Electric: bill of 2026-08-31, account ${accountNumber} (continued)`);
    expect(text).toContain("Page 1 of 2");
    expect(text).toContain("Page 2 of 2");
    expect(text).toContain("Energy block 9");
    expect(text).toContain("New charges, all services");
    expect(text).toContain("Three.");
    expect(text).toContain(scanLine(accountNumber, big.amount_due_cents));
  });

  it("says across the top that a bill is held or cancelled, and that an estimate is one", async () => {
    const held = await insertBill(t.database, {
      ...account,
      period_from: "2026-09-01",
      period_to: "2026-09-30",
      kwh: "2400",
      status: "held",
      exception: "high_usage",
      exception_note: "4 times the usual",
      estimated: true,
    });
    const heldText = (await pdfOf(held.id)).text;
    expect(heldText).toContain("HELD FOR REVIEW, NOT MAILED: usage much higher than usual (4 times the usual).");
    expect(heldText).toContain("This bill uses an estimated read");
    expect(heldText).toContain("(estimated)");
    const gone = await insertBill(t.database, {
      ...account,
      period_from: "2026-10-01",
      period_to: "2026-10-31",
      kwh: "10",
      status: "cancelled",
      cancel_reason: "billed the wrong tariff",
    });
    expect((await pdfOf(gone.id)).text).toContain("CANCELLED: billed the wrong tariff. Do not pay from this bill.");
  });

  it("prints no amount to pay on a credit balance", async () => {
    const credit = await insertBill(t.database, {
      ...account,
      period_from: "2026-11-01",
      period_to: "2026-11-30",
      kwh: "100",
      prior_balance_cents: -100_000n,
    });
    const { text } = await pdfOf(credit.id);
    expect(credit.amount_due_cents).toBeLessThan(0n);
    expect(text).toContain("Nothing to pay: a credit carries to your next bill.");
    expect(text).toContain(`${accountNumber} 0000000000 `);
  });

  it("answers 404 for an unknown bill and 403 without bills.read", async () => {
    const missing = await get("/api/v1/bills/99999999/pdf");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().errors[0].field).toBe("id");
    expect((await get(`/api/v1/bills/${july.id}/pdf`, "field")).statusCode).toBe(403);
  });
});

describe("the scan line", () => {
  it("carries the account number, the amount due in cents and a check digit", () => {
    expect(isValidAccountNumber("1234567897")).toBe(true);
    const line = scanLine("1234567897", 21_143n);
    expect(line).toMatch(/^1234567897 0000021143 \d$/);
    expect(readScanLine(line)).toEqual({ accountNumber: "1234567897", amountCents: 21_143n });
    expect(readScanLine(line.replace(/ /g, ""))).toEqual({ accountNumber: "1234567897", amountCents: 21_143n });
    expect(scanLine("1234567897", 0n)).toMatch(/^1234567897 0000000000 \d$/);
    expect(scanLine("1234567897", -500n)).toBe(scanLine("1234567897", 0n));
    expect(scanLine("1234567897", 9_999_999_999n)).toMatch(/^1234567897 9999999999 \d$/);
    expect(() => scanLine("1234567897", 10_000_000_000n)).toThrow();
    expect(() => scanLine("123456789", 100n)).toThrow();
  });

  it("catches a mistyped digit and a swap of neighbours", () => {
    const digits = scanLine("1234567897", 21_143n).replace(/ /g, "");
    for (let i = 0; i < digits.length; i++) {
      for (const d of "0123456789") {
        if (d === digits[i]) continue;
        expect(readScanLine(digits.slice(0, i) + d + digits.slice(i + 1))).toBeNull();
      }
    }
    for (let i = 0; i + 1 < digits.length; i++) {
      if (digits[i] === digits[i + 1]) continue;
      // Luhn misses only 09 <-> 90.
      if ((digits[i] === "0" && digits[i + 1] === "9") || (digits[i] === "9" && digits[i + 1] === "0")) continue;
      const swapped = digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
      expect(readScanLine(swapped)).toBeNull();
    }
    expect(readScanLine("not a scan line")).toBeNull();
    expect(readScanLine("1234567897 0000021143")).toBeNull();
  });
});
