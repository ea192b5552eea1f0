import { inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { putSetting } from "../../platform/settings.js";
import { newAccount } from "../ledger/test-fixtures.js";
import { depositSlip, drawerReport } from "./drawer-pdfs.js";
import { read, send } from "./test-fixtures.js";

let t: TestApp;
let drawerId = 0;
let account = "";
const paymentIds: number[] = [];
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  await putSetting(t.ctx, "payments.receipt.utility_name", {
    effective_from: "2026-01-01",
    value: "City of Riverbend Electric",
  });
  drawerId = (
    await send(t, "/api/v1/drawers", { location: "Main office", float_cents: 10_000 }, { role: "cashier" })
  ).json().id;
  const a = await newAccount(t);
  const pay = async (tender: Record<string, unknown>, cents: number) => {
    const res = await send(
      t,
      "/api/v1/payments",
      { account_id: a, amount_cents: cents, tender, channel: "counter" },
      { role: "cashier" },
    );
    if (res.statusCode !== 201) throw new Error(res.body);
    paymentIds.push(res.json().id);
    account = res.json().distribution[0].account_number;
  };
  await pay({ type: "cash" }, 4_250);
  await pay({ type: "check", check_number: "5521" }, 8_420);
  await pay({ type: "check", check_number: "5522" }, 1_999);
  await pay({ type: "money_order", serial_number: "MO-1234" }, 3_000);
});
afterAll(async () => t?.close());

/** The text drawn on a PDF's pages: its content streams inflated, the strings of their text operators decoded. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const out: string[] = [];
  for (const m of raw.matchAll(/<<([^>]*?)>>\s*stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    let body = Buffer.from(raw.slice(start, raw.indexOf("endstream", start)), "latin1");
    if (m[1]!.includes("FlateDecode")) {
      try {
        body = inflateSync(body);
      } catch {
        continue;
      }
    }
    for (const op of body.toString("latin1").matchAll(/\[([^\]]*)\]\s*TJ/g)) {
      out.push(
        [...op[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, "hex").toString("latin1")).join(""),
      );
    }
  }
  return out.join("\n");
}

async function pdfOf(url: string, role = "cashier") {
  const res = await t.app.inject({ method: "GET", url, headers: await t.as(role) });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers["content-type"]).toBe("application/pdf");
  const pdf = res.rawPayload;
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(pdf.subarray(-6).toString("latin1")).toMatch(/%%EOF/);
  return pdfText(pdf);
}

describe("the drawer report and the deposit slip", () => {
  it("reports an open drawer: cashier, date, float, each payment with tender and GL account, totals", async () => {
    const text = await pdfOf(`/api/v1/drawers/${drawerId}/report.pdf`);
    expect(text).toContain("City of Riverbend Electric");
    expect(text).toContain(`Cash drawer report ${drawerId}`);
    expect(text).toContain("Test cashier (t-cashier)");
    expect(text).toContain("Main office");
    expect(text).toContain("2026-03-02");
    expect(text).toContain("2026-03-02 09:00"); // opened, in the utility's time zone
    expect(text).toContain("$100.00");
    for (const id of paymentIds) expect(text).toContain(String(id));
    expect(text).toContain(account);
    expect(text).toContain("Check #5521");
    expect(text).toContain("Money order #MO-1234");
    expect(text).toContain("1010");
    expect(text).toContain("$42.50");
    expect(text).toContain("$142.50"); // cash in the drawer: float and cash taken
    expect(text).toContain("$104.19"); // two checks
    expect(text).toContain("The drawer is still open.");
    expect(text).toContain("Not signed off yet.");
  });

  it("refuses the deposit slip of an open drawer, naming the drawer", async () => {
    const res = await read(t, `/api/v1/drawers/${drawerId}/deposit-slip.pdf`, "cashier");
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ rule: "drawers.not_closed", errors: [{ field: "id" }] });
  });

  it("after the close and the sign-off: expected, counted, over/short, the deposit and the sign-off", async () => {
    // Expected: cash $142.50, checks $104.19 (2), money orders $30.00. Counted cash $5.00 short.
    const closed = await send(
      t,
      `/api/v1/drawers/${drawerId}/close`,
      {
        counts: {
          cash: { counted_cents: 13_750 },
          check: { counted_cents: 10_419, count: 2 },
          money_order: { counted_cents: 3_000, count: 1 },
        },
        note: "short a five",
      },
      { role: "cashier" },
    );
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ over_short_cents: -500, deposit_cents: 3_750 + 10_419 + 3_000 });
    const signed = await t.app.inject({
      method: "POST",
      url: `/api/v1/drawers/${drawerId}/sign-off`,
      headers: await t.as("supervisor"),
      payload: { note: "recounted with the cashier" },
    });
    expect(signed.statusCode).toBe(200);

    const report = await pdfOf(`/api/v1/drawers/${drawerId}/report.pdf`, "supervisor");
    expect(report).toContain("Signed off");
    expect(report).toContain("t-supervisor, 2026-03-02 09:00");
    expect(report).toContain("Note: recounted with the cashier");
    expect(report).toContain("Note: short a five");
    expect(report).toContain("$137.50"); // cash counted
    expect(report).toContain("-$5.00");
    expect(report).toContain("Short");
    expect(report).toContain("Checks (2 of 2)");
    expect(report).toContain("$171.69"); // deposit: 37.50 + 104.19 + 30.00

    const slip = await pdfOf(`/api/v1/drawers/${drawerId}/deposit-slip.pdf`);
    expect(slip).toContain("Bank deposit slip");
    expect(slip).toContain("City of Riverbend Electric");
    expect(slip).toContain("2026-03-02");
    expect(slip).toContain("Check #5521");
    expect(slip).toContain("$84.20");
    expect(slip).toContain("Check #5522");
    expect(slip).toContain("$19.99");
    expect(slip).toContain("$104.19");
    expect(slip).toContain("Money order #MO-1234");
    expect(slip).toContain("$30.00");
    expect(slip).toContain("$37.50"); // cash: counted less the float kept
    expect(slip).toContain("Deposit total");
    expect(slip).toContain("$171.69");
    expect(slip).not.toContain("differs");

    // Uncompressed, the same text.
    expect(pdfText(await depositSlip(t.ctx, drawerId, { compress: false }))).toBe(slip);
    expect(pdfText(await drawerReport(t.ctx, drawerId, { compress: false }))).toBe(report);
  });

  it("answers 404 for an unknown drawer and 403 for another cashier's", async () => {
    expect((await read(t, "/api/v1/drawers/99999/report.pdf", "cashier")).statusCode).toBe(404);
    expect((await read(t, `/api/v1/drawers/${drawerId}/report.pdf`, "lead")).statusCode).toBe(403);
    expect((await read(t, `/api/v1/drawers/${drawerId}/deposit-slip.pdf`, "csr")).statusCode).toBe(403);
  });
});
