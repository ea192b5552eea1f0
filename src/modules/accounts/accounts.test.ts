import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, counts } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { isValidAccountNumber } from "../../core/account-number.js";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
});
afterAll(async () => t?.close());

const send = async (method: "POST" | "PATCH" | "GET", url: string, payload?: unknown, role = "csr") =>
  t.app.inject({ method, url, headers: await t.as(role), ...(payload ? { payload: payload as object } : {}) });

const party = async (over: Record<string, unknown> = {}) =>
  (await send("POST", "/api/v1/parties", aPerson({ identity: null, ...over }))).json();

describe("accounts", () => {
  it("opens an account with a Luhn-checked 10-digit number, main customer and co-applicants", async () => {
    const main = await party();
    const co = await party({ first_name: "Jorge" });
    const res = await send("POST", "/api/v1/accounts", {
      main_party_id: main.id,
      co_applicant_ids: [co.id],
      customer_class: "residential",
      notice_channel: "email",
      bill_cycle: "12",
      mailing_address: { line1: "PO Box 88", city: "Davis", state: "CA", zip: "95617" },
    });
    expect(res.statusCode).toBe(201);
    const a = res.json();
    expect(a.account_number).toMatch(/^\d{10}$/);
    expect(isValidAccountNumber(a.account_number)).toBe(true);
    expect(a).toMatchObject({
      status: "active",
      main_party_id: main.id,
      co_applicant_ids: [co.id],
      notice_channel: "email",
      bill_cycle: "12",
      opened_on: "2026-03-02",
      mailing_address: { line1: "PO Box 88", line2: null, city: "Davis", state: "CA", zip: "95617" },
      version: 1,
    });
    const numbers = new Set<string>([a.account_number]);
    for (let i = 0; i < 5; i++) {
      const more = await send("POST", "/api/v1/accounts", { main_party_id: main.id, bill_cycle: "01" });
      numbers.add(more.json().account_number);
    }
    expect(numbers.size).toBe(6);
  });

  it("edits status, cycle, notices and who is on it with the version read; a stale edit gets 409", async () => {
    const main = await party({ first_name: "Pia", email: null });
    const co = await party({ first_name: "Leo" });
    const a = (await send("POST", "/api/v1/accounts", { main_party_id: main.id, bill_cycle: "03" })).json();
    const emailRefused = await send("PATCH", `/api/v1/accounts/${a.id}`, { version: 1, notice_channel: "email" });
    expect(emailRefused.statusCode).toBe(422);
    expect(emailRefused.json()).toMatchObject({ rule: "account.email_notice_needs_email" });
    expect(emailRefused.json().errors[0].field).toBe("notice_channel");
    const swapped = await send("PATCH", `/api/v1/accounts/${a.id}`, {
      version: 1,
      main_party_id: co.id,
      co_applicant_ids: [main.id],
      notice_channel: "email",
      bill_cycle: "04",
    });
    expect(swapped.statusCode).toBe(200);
    expect(swapped.json()).toMatchObject({
      main_party_id: co.id,
      co_applicant_ids: [main.id],
      bill_cycle: "04",
      version: 2,
    });
    const closed = await send("PATCH", `/api/v1/accounts/${a.id}`, { version: 2, status: "closed" });
    expect(closed.json()).toMatchObject({ status: "closed", closed_on: "2026-03-02", version: 3 });
    const before = await counts(t);
    const stale = await send("PATCH", `/api/v1/accounts/${a.id}`, { version: 2, bill_cycle: "05" });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().current).toMatchObject({ id: a.id, status: "closed", version: 3 });
    expect(await counts(t)).toEqual(before);
  });

  it("refuses bad input naming the field and unknown ids with 404, changing nothing", async () => {
    const main = await party({ first_name: "Uma" });
    const before = await counts(t);
    const cases: [unknown, string, number][] = [
      [{ main_party_id: "one", bill_cycle: "01" }, "main_party_id", 400],
      [{ main_party_id: main.id }, "bill_cycle", 400],
      [{ main_party_id: main.id, bill_cycle: "22" }, "bill_cycle", 400],
      [{ main_party_id: main.id, bill_cycle: "01", notice_channel: "fax" }, "notice_channel", 400],
      [{ main_party_id: main.id, bill_cycle: "01", customer_class: "royal" }, "customer_class", 400],
      [{ main_party_id: main.id, bill_cycle: "01", co_applicant_ids: [main.id] }, "co_applicant_ids", 400],
      [{ main_party_id: 999999, bill_cycle: "01" }, "main_party_id", 404],
      [{ main_party_id: main.id, bill_cycle: "01", co_applicant_ids: [999998] }, "co_applicant_ids", 404],
    ];
    for (const [payload, field, status] of cases) {
      const res = await send("POST", "/api/v1/accounts", payload);
      expect(res.statusCode, field).toBe(status);
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
      expect(
        res.json().errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
    }
    const unknown = await send("PATCH", "/api/v1/accounts/999999", { version: 1, bill_cycle: "02" });
    expect(unknown.statusCode).toBe(404);
    const noVersion = await send("PATCH", "/api/v1/accounts/1", { bill_cycle: "02" });
    expect(noVersion.statusCode).toBe(400);
    expect(noVersion.json().errors[0].field).toBe("version");
    expect(await counts(t)).toEqual(before);
  });
});

describe("enrolments", () => {
  it("enrols in CARE and medical baseline with dates; refuses overlaps, CARE with FERA, and stale edits", async () => {
    const main = await party({ first_name: "Vera" });
    const a = (await send("POST", "/api/v1/accounts", { main_party_id: main.id, bill_cycle: "09" })).json();
    const care = await send("POST", `/api/v1/accounts/${a.id}/enrolments`, {
      program: "care",
      effective_from: "2026-01-01",
      recertify_by: "2028-01-01",
      household_size: 3,
    });
    expect(care.statusCode).toBe(201);
    expect(care.json()).toMatchObject({
      program: "care",
      party_id: main.id,
      active: true,
      household_size: 3,
      version: 1,
    });
    const mb = await send("POST", `/api/v1/accounts/${a.id}/enrolments`, {
      program: "medical_baseline",
      effective_from: "2026-02-01",
      permanent: true,
      recertify_by: "2027-01-01",
    });
    expect(mb.json()).toMatchObject({ permanent: true, recertify_by: null });
    const fera = await send("POST", `/api/v1/accounts/${a.id}/enrolments`, {
      program: "fera",
      effective_from: "2026-06-01",
    });
    expect(fera.statusCode).toBe(422);
    expect(fera.json().rule).toBe("enrolment.care_fera_exclusive");
    const again = await send("POST", `/api/v1/accounts/${a.id}/enrolments`, {
      program: "care",
      effective_from: "2026-05-01",
    });
    expect(again.statusCode).toBe(409);
    const permanentCare = await send("POST", `/api/v1/accounts/${a.id}/enrolments`, {
      program: "care",
      effective_from: "2030-01-01",
      permanent: true,
    });
    expect(permanentCare.json().errors[0].field).toBe("permanent");
    const ended = await send("PATCH", `/api/v1/accounts/${a.id}/enrolments/${care.json().id}`, {
      version: 1,
      effective_to: "2026-05-31",
    });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ effective_to: "2026-05-31", version: 2 });
    // With CARE ended, FERA may follow it.
    const feraLater = await send("POST", `/api/v1/accounts/${a.id}/enrolments`, {
      program: "fera",
      effective_from: "2026-06-01",
    });
    expect(feraLater.statusCode).toBe(201);
    const stale = await send("PATCH", `/api/v1/accounts/${a.id}/enrolments/${care.json().id}`, {
      version: 1,
      note: "x",
    });
    expect(stale.statusCode).toBe(409);
    const list = await send("GET", `/api/v1/accounts/${a.id}/enrolments`);
    expect(list.json().enrolments.map((e: { program: string }) => e.program)).toEqual([
      "fera",
      "medical_baseline",
      "care",
    ]);
    expect((await send("GET", "/api/v1/accounts/999999/enrolments")).statusCode).toBe(404);
    const stranger = await party({ first_name: "Zoe" });
    const notOn = await send("POST", `/api/v1/accounts/${a.id}/enrolments`, {
      program: "medical_baseline",
      effective_from: "2027-01-01",
      party_id: stranger.id,
    });
    expect(notOn.statusCode).toBe(400);
    expect(notOn.json().errors[0].field).toBe("party_id");
  });
});
