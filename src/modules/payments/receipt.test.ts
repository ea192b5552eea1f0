import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { newAccount } from "../ledger/test-fixtures.js";
import { dollars, paymentReceipt } from "./receipt.js";
import { read, send } from "./test-fixtures.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

/**
 * The text drawn on a PDF's pages: each content stream inflated (pdfkit compresses them), then the strings of its
 * text operators decoded (pdfkit writes them as hex, split where it kerns). Enough to read back what we print.
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const lines: string[] = [];
  for (const m of raw.matchAll(/<<([^>]*?)>>\s*stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = raw.indexOf("endstream", start);
    let body = Buffer.from(raw.slice(start, end), "latin1");
    if (m[1]!.includes("FlateDecode")) {
      try {
        body = inflateSync(body);
      } catch {
        continue;
      }
    }
    for (const tj of body.toString("latin1").matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      const hex = [...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, "hex").toString("latin1"));
      lines.push(hex.join(""));
    }
  }
  return lines.join("\n");
}

describe("payment receipt", () => {
  it("is a PDF with the utility, payment id, tenders masked, accounts and who took it", async () => {
    await putSetting(t.ctx, "payments.receipt.utility_name", {
      effective_from: "2026-01-01",
      value: "City of Riverbend Electric",
    });
    const a = await newAccount(t);
    const b = await newAccount(t);
    const res = await send(t, "/api/v1/payments", {
      channel: "phone",
      tenders: [
        { type: "card", amount_cents: 123_456, processor_token: "tok_sandbox_abc", brand: "visa", last4: "4242" },
        { type: "check", amount_cents: 544, check_number: "3021" },
      ],
      distribution: [
        { account_id: a, amount_cents: 100_000 },
        { account_id: b, amount_cents: 24_000 },
      ],
    });
    expect(res.statusCode).toBe(201);
    const p = res.json();

    const http = await t.app.inject({
      method: "GET",
      url: `/api/v1/payments/${p.id}/receipt.pdf`,
      headers: await t.as("cashier"),
    });
    expect(http.statusCode).toBe(200);
    expect(http.headers["content-type"]).toBe("application/pdf");
    const pdf = http.rawPayload;
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.subarray(-6).toString("latin1")).toMatch(/%%EOF/);
    // Compressed, as served: the page text is not in the file as plain text.
    expect(pdf.toString("latin1")).not.toContain("Payment receipt\n");

    const text = pdfText(pdf);
    expect(text).toContain("City of Riverbend Electric");
    expect(text).toContain("Payment receipt");
    expect(text).toContain(String(p.id));
    expect(text).toContain("2026-03-02");
    expect(text).toContain("VISA ****4242");
    expect(text).toContain("Check #3021");
    expect(text).toContain("$1,234.56");
    expect(text).toContain("$1,240.00");
    expect(text).toContain(`Account ${p.distribution[0].account_number}`);
    expect(text).toContain(`Account ${p.distribution[1].account_number}`);
    expect(text).toContain("Test csr (t-csr)");
    expect(text).toContain("By phone");
    expect(text).not.toContain("tok_sandbox_abc");

    // The same text uncompressed, for a reader that cannot inflate.
    const plain = await paymentReceipt(t.ctx, p.id, { compress: false });
    expect(pdfText(plain)).toBe(text);
  });

  it("shows a reversal, answers 404 for an unknown payment and 403 without ledger.read", async () => {
    const a = await newAccount(t);
    const p = (
      await send(t, "/api/v1/payments", {
        account_id: a,
        amount_cents: 900,
        tender: { type: "check", check_number: "9" },
      })
    ).json();
    await send(t, `/api/v1/payments/${p.id}/reversal`, { reason: "returned_check" }, { role: "supervisor" });
    const text = pdfText(await paymentReceipt(t.ctx, p.id));
    expect(text).toContain("REVERSED on 2026-03-02: Check returned by the bank");
    expect(text).toContain("(reversed)");
    expect((await read(t, "/api/v1/payments/99999999/receipt.pdf")).statusCode).toBe(404);
    expect((await read(t, `/api/v1/payments/${p.id}/receipt.pdf`, "field")).statusCode).toBe(403);
  });

  it("writes dollars for people", () => {
    expect(dollars(0n)).toBe("$0.00");
    expect(dollars(5n)).toBe("$0.05");
    expect(dollars(123_456_789n)).toBe("$1,234,567.89");
    expect(dollars(-2_500n)).toBe("-$25.00");
  });
});
