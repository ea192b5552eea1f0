import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { verifyLedger } from "../ledger/index.js";
import { newAccount } from "../ledger/test-fixtures.js";
import { holdsCardNumber, luhnValid } from "./card-numbers.js";
import { moneyCounts, payByCheck, send } from "./test-fixtures.js";

// Every bad request is refused with a problem naming the field, and moves no money.

let t: TestApp;
let account: number;
let other: number;
let paymentId: number;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  account = await newAccount(t);
  other = await newAccount(t);
  paymentId = (await payByCheck(t, account, 5_000)).id;
});
afterAll(async () => t?.close());

const VISA = "4111111111111111";
const check = (over: Record<string, unknown> = {}) => ({ type: "check", check_number: "1001", ...over });
const simple = (over: Record<string, unknown> = {}) => ({
  account_id: account,
  amount_cents: 1_000,
  tender: check(),
  ...over,
});
const general = (over: Record<string, unknown> = {}) => ({
  tenders: [{ type: "check", amount_cents: 1_000, check_number: "1001" }],
  distribution: [{ account_id: account, amount_cents: 1_000 }],
  ...over,
});

type Case = [name: string, url: () => string, body: () => unknown, status: number, field: string];
const payments = () => "/api/v1/payments";
const cases: Case[] = [
  ["negative cents", payments, () => simple({ amount_cents: -100 }), 400, "amount_cents"],
  ["zero cents", payments, () => simple({ amount_cents: 0 }), 400, "amount_cents"],
  ["fractional cents", payments, () => simple({ amount_cents: 10.5 }), 400, "amount_cents"],
  ["cents as a string", payments, () => simple({ amount_cents: "1000" }), 400, "amount_cents"],
  ["dollars as a string", payments, () => simple({ amount_cents: "10.00" }), 400, "amount_cents"],
  ["absurd cents", payments, () => simple({ amount_cents: 1e15 }), 400, "amount_cents"],
  [
    "a tender amount as a string",
    payments,
    () => simple({ tender: check({ amount_cents: "1000" }) }),
    400,
    "tender.amount_cents",
  ],
  [
    "a tender amount unlike the payment's",
    payments,
    () => simple({ tender: check({ amount_cents: 999 }) }),
    400,
    "tender.amount_cents",
  ],
  [
    "a negative share",
    payments,
    () => general({ distribution: [{ account_id: account, amount_cents: -1_000 }] }),
    400,
    "distribution.0.amount_cents",
  ],
  [
    "a general tender without its amount",
    payments,
    () => general({ tenders: [check()] }),
    400,
    "tenders.0.amount_cents",
  ],
  [
    "totals that differ",
    payments,
    () => general({ distribution: [{ account_id: account, amount_cents: 900 }] }),
    400,
    "distribution",
  ],
  [
    "an account twice",
    payments,
    () =>
      general({
        tenders: [{ type: "check", amount_cents: 2, check_number: "1" }],
        distribution: [
          { account_id: account, amount_cents: 1 },
          { account_id: account, amount_cents: 1 },
        ],
      }),
    400,
    "distribution.1.account_id",
  ],
  ["an unknown account", payments, () => simple({ account_id: 99_999_999 }), 404, "account_id"],
  [
    "an unknown account in a distribution",
    payments,
    () =>
      general({
        tenders: [{ type: "check", amount_cents: 2, check_number: "1" }],
        distribution: [
          { account_id: account, amount_cents: 1 },
          { account_id: 99_999_999, amount_cents: 1 },
        ],
      }),
    404,
    "distribution.1.account_id",
  ],
  ["an account id as a string", payments, () => simple({ account_id: String(account) }), 400, "account_id"],
  [
    "an item of another account",
    payments,
    () => general({ distribution: [{ account_id: other, amount_cents: 1_000, item_ids: [99_999_999] }] }),
    400,
    "distribution.0.item_ids.0",
  ],
  ["no tender", payments, () => simple({ tender: undefined }), 400, "tender"],
  ["both forms at once", payments, () => ({ ...simple(), ...general() }), 400, "tenders"],
  ["an unknown tender", payments, () => simple({ tender: { type: "bitcoin" } }), 400, "tender.type"],
  ["an unknown field", payments, () => simple({ amount: 1_000 }), 400, "amount"],
  ["a check without its number", payments, () => simple({ tender: { type: "check" } }), 400, "tender.check_number"],
  [
    "a card with more than its last four",
    payments,
    () => simple({ tender: { type: "card", processor_token: "tok_1", brand: "visa", last4: "41111" } }),
    400,
    "tender.last4",
  ],
  ["a future received_on", payments, () => simple({ received_on: "2026-03-03" }), 400, "received_on"],
  ["a received_on that is no date", payments, () => simple({ received_on: "2026-02-30" }), 400, "received_on"],
  ["an unknown channel", payments, () => simple({ channel: "pigeon" }), 400, "channel"],
  ["a card number in the note", payments, () => simple({ note: `card ${VISA} exp 04/29` }), 400, "note"],
  ["a card number with spaces", payments, () => simple({ note: "4111 1111 1111 1111" }), 400, "note"],
  [
    "a card number as a check number",
    payments,
    () => simple({ tender: check({ check_number: VISA }) }),
    400,
    "tender.check_number",
  ],
  [
    "a card number as a token",
    payments,
    () => simple({ tender: { type: "card", processor_token: VISA, brand: "visa", last4: "1111" } }),
    400,
    "tender.processor_token",
  ],
  [
    "an Amex number with dashes in a general tender",
    payments,
    () =>
      general({
        tenders: [{ type: "ach", amount_cents: 1_000, processor_token: "3782-822463-10005", account_last4: "0005" }],
      }),
    400,
    "tenders.0.processor_token",
  ],
  [
    "a card number in a transfer's reason",
    () => `/api/v1/payments/${paymentId}/transfer`,
    () => ({ from_account_id: account, to_account_id: other, amount_cents: 100, reason: `card was ${VISA}` }),
    400,
    "reason",
  ],
  [
    "a card number in a reversal note",
    () => `/api/v1/payments/${paymentId}/reversal`,
    () => ({ reason: "duplicate", note: VISA }),
    400,
    "note",
  ],
  [
    "an unknown reversal reason",
    () => `/api/v1/payments/${paymentId}/reversal`,
    () => ({ reason: "felt_like_it" }),
    400,
    "reason",
  ],
  [
    "a transfer of zero",
    () => `/api/v1/payments/${paymentId}/transfer`,
    () => ({ from_account_id: account, to_account_id: other, amount_cents: 0, reason: "x" }),
    400,
    "amount_cents",
  ],
  [
    "a transfer without a reason",
    () => `/api/v1/payments/${paymentId}/transfer`,
    () => ({ from_account_id: account, to_account_id: other, amount_cents: 10 }),
    400,
    "reason",
  ],
  [
    "a transfer from an unknown account",
    () => `/api/v1/payments/${paymentId}/transfer`,
    () => ({ from_account_id: 99_999_999, to_account_id: other, amount_cents: 10, reason: "x" }),
    404,
    "from_account_id",
  ],
  [
    "an adjustment of fractional cents",
    () => `/api/v1/accounts/${account}/adjustments`,
    () => ({ kind: "credit", amount_cents: 0.5, reason_code: "courtesy_credit" }),
    400,
    "amount_cents",
  ],
  [
    "an adjustment as a string",
    () => `/api/v1/accounts/${account}/adjustments`,
    () => ({ kind: "credit", amount_cents: "5", reason_code: "courtesy_credit" }),
    400,
    "amount_cents",
  ],
  [
    "an adjustment of an unknown kind",
    () => `/api/v1/accounts/${account}/adjustments`,
    () => ({ kind: "refund", amount_cents: 5, reason_code: "courtesy_credit" }),
    400,
    "kind",
  ],
  [
    "a card number in an adjustment note",
    () => `/api/v1/accounts/${account}/adjustments`,
    () => ({ kind: "credit", amount_cents: 5, reason_code: "courtesy_credit", note: VISA }),
    400,
    "note",
  ],
  [
    "an adjustment on an unknown account",
    () => "/api/v1/accounts/99999999/adjustments",
    () => ({ kind: "charge", amount_cents: 5, reason_code: "billing_error" }),
    404,
    "id",
  ],
];

describe("bad input", () => {
  it.each(cases)("refuses %s", async (_name, url, body, status, field) => {
    const before = await moneyCounts(t);
    const res = await send(t, url(), body(), { role: "supervisor" });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await moneyCounts(t)).toEqual(before);
  });

  it("accepts digits that are no card number (phone, account and check numbers, a long non-Luhn run)", async () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(holdsCardNumber("call (916) 555-0142 about account 1234567897")).toBe(false);
    expect(holdsCardNumber("ref 4111111111111112")).toBe(false);
    expect(holdsCardNumber("5555 5555 5555 4444")).toBe(true);
    const res = await send(t, "/api/v1/payments", simple({ note: "ref 4111111111111112, call 916-555-0142" }));
    expect(res.statusCode).toBe(201);
  });

  it("never stores a card number", async () => {
    const like = `%${VISA}%`;
    const [row] = await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql`SELECT (SELECT count(*) FROM idempotency_keys WHERE response::text LIKE ${like})
               + (SELECT count(*) FROM audit_log WHERE after::text LIKE ${like} OR before::text LIKE ${like})
               + (SELECT count(*) FROM payments WHERE note LIKE ${like})
               + (SELECT count(*) FROM payment_tenders WHERE concat_ws(' ', check_number, processor_token) LIKE ${like})
               AS n`,
    );
    expect(Number(row!.n)).toBe(0);
    expect((await verifyLedger(t.ctx)).violations).toEqual([]);
  });
});
