import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

interface Event {
  id: number;
  at: string;
  kind: string;
  title: string;
  detail: string;
  actor: string;
  amount_cents?: number;
  ref?: { type: string; id: number };
}
interface Page {
  events: Event[];
  next_cursor: number | null;
}

let t: TestApp;
let accountId: number;
let partyId: number;
const MARKUP = '<img src=x onerror="alert(1)"><b>Bold</b> asked about the bill';

async function call(method: "GET" | "POST" | "PATCH", url: string, payload?: object, role = "csr", key = false) {
  const headers = { ...(await t.as(role)), ...(key ? { "idempotency-key": `activity-${randomUUID()}` } : {}) };
  const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const activity = async (query = "", role = "csr"): Promise<Page> => {
  const res = await t.app.inject({
    method: "GET",
    url: `/api/v1/accounts/${accountId}/activity${query}`,
    headers: await t.as(role),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  const c = await newCustomer(t, { party: aPerson({ first_name: "Ada", last_name: "Okafor" }) });
  accountId = c.account.id;
  partyId = c.party.id;
  await call("POST", `/api/v1/accounts/${accountId}/contacts`, {
    channel: "phone",
    reason_code: "billing_question",
    outcome: "resolved",
    notes: `${MARKUP}\nsecond line stays in the contact log`,
  });
  await call(
    "POST",
    "/api/v1/payments",
    { account_id: accountId, amount_cents: 5000, channel: "phone", tender: { type: "check", check_number: "1234" } },
    "csr",
    true,
  );
  await call(
    "POST",
    `/api/v1/accounts/${accountId}/adjustments`,
    { kind: "credit", amount_cents: 1000, reason_code: "courtesy_credit", note: "Outage apology" },
    "csr",
    true,
  );
  const party = await call("GET", `/api/v1/parties/${partyId}`);
  await call("PATCH", `/api/v1/parties/${partyId}`, {
    version: party.version,
    email: "ada.okafor@example.com",
    identity: { type: "ssn", number: "234-56-7890" },
  });
  const premise = await call("POST", "/api/v1/premises", aPremise({ address_line1: "77 Elm St" }));
  const point = await call("POST", `/api/v1/premises/${premise.id}/service-points`, { description: "Garage" });
  await call("POST", "/api/v1/service-agreements", {
    account_id: accountId,
    service_point_id: point.id,
    tariff_code: "EV-2",
    start_date: "2026-03-02",
  });
});
afterAll(async () => t?.close());

describe("the account's activity timeline", () => {
  it("tells what happened, newest first, in plain words with who and when", async () => {
    const page = await activity();
    expect(page.next_cursor).toBeNull();
    const titles = page.events.map((e) => e.title);
    expect(titles).toEqual([
      "Service started (EV-2)",
      "Customer details changed",
      "Credit adjustment $10.00",
      "Payment $50.00 received",
      "Phone contact: billing question",
      "Service started (E-1)",
      "Account opened",
      "Customer record created",
    ]);
    const [service, edit, adjustment, payment, contact] = page.events as [Event, Event, Event, Event, Event];
    expect(service).toMatchObject({ kind: "service_started", ref: { type: "service_agreement" } });
    expect(service.detail).toContain("77 Elm St");
    expect(service.detail).toContain("From Mar 2, 2026");
    // Which fields changed, never the identity number's value (nor its last four).
    expect(edit.detail).toBe("Okafor, Ada: email, identity number");
    expect(JSON.stringify(page)).not.toMatch(/7890|6789/);
    expect(adjustment).toMatchObject({ kind: "adjustment", amount_cents: 1000 });
    expect(adjustment.detail).toBe("Courtesy credit · Outage apology");
    expect(payment).toMatchObject({ kind: "payment", amount_cents: 5000, ref: { type: "payment" } });
    expect(payment.detail).toBe("Check #1234 · by phone");
    expect(contact.kind).toBe("contact");
    for (const e of page.events) {
      expect(e.actor).toBe("t-csr");
      expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    }
    const times = page.events.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("returns markup in notes as plain text, first line only", async () => {
    const contact = (await activity()).events.find((e) => e.kind === "contact")!;
    expect(contact.detail).toBe(`Resolved · ${MARKUP}`);
  });

  it("tells a reversal with its reason and the returned-payment fee", async () => {
    const payment = (await activity()).events.find((e) => e.kind === "payment")!;
    await call("POST", `/api/v1/payments/${payment.ref!.id}/reversal`, { reason: "nsf" }, "lead", true);
    const [first] = (await activity()).events;
    expect(first).toMatchObject({
      kind: "payment_reversal",
      title: "Payment $50.00 reversed",
      actor: "t-lead",
      amount_cents: 5000,
    });
    expect(first!.detail).toBe("Not sufficient funds · returned-payment fee $25.00");
  });

  it("pages with before: no event twice, none missed", async () => {
    const all = (await activity()).events.map((e) => e.id);
    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const page: Page = await activity(`?limit=3${cursor ? `&before=${cursor}` : ""}`);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 3));
  });

  it("leaves out what the caller may not read", async () => {
    const kinds = new Set((await activity("", "field")).events.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(["account_opened", "service_started"]);
  });

  it("answers 404 for an unknown account and 400 for a bad cursor", async () => {
    const headers = await t.as("csr");
    const missing = await t.app.inject({ method: "GET", url: "/api/v1/accounts/999999/activity", headers });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({ method: "GET", url: `/api/v1/accounts/${accountId}/activity?before=x`, headers });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain("before");
  });
});
