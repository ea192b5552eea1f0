import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";

let t: TestApp;
let accountId: number;
beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  const c = await newCustomer(t, { party: aPerson({ first_name: "Pia", identity: null }) });
  accountId = c.account.id;
  const headers = await t.as("csr");
  // 64 contacts on top of the rows the new customer wrote (party, account, agreement): well past one page of 50.
  for (let i = 0; i < 64; i++) {
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${accountId}/contacts`,
      headers,
      payload: { channel: "phone", reason_code: "other", outcome: "resolved", notes: `call ${i}` },
    });
    if (res.statusCode !== 201) throw new Error(`contact ${i}: ${res.statusCode} ${res.body}`);
  }
});
afterAll(async () => t?.close());

interface Page {
  entries: { id: number; action: string }[];
  next_cursor: number | null;
}

const history = async (query: string, role = "trainee") =>
  t.app.inject({ method: "GET", url: `/api/v1/accounts/${accountId}/audit${query}`, headers: await t.as(role) });

const page = async (query: string): Promise<Page> => {
  const res = await history(query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe("paging the account's audit history", () => {
  it("walks every row newest first, a page at a time, with no row twice and none missed", async () => {
    const all = await page("?limit=500");
    expect(all.next_cursor).toBeNull();
    expect(all.entries.length).toBe(67);
    const ids = all.entries.map((e) => e.id);

    const first = await page("?limit=50");
    expect(first.entries).toHaveLength(50);
    expect(first.next_cursor).toBe(first.entries[49]!.id);
    const second = await page(`?limit=50&before=${first.next_cursor}`);
    expect(second.entries).toHaveLength(17);
    expect(second.next_cursor).toBeNull();
    expect([...first.entries, ...second.entries].map((e) => e.id)).toEqual(ids);
    expect(second.entries.at(-1)!.action).toBe("party.create");

    // Pages of 30: 30 + 30 + 7.
    const seen: number[] = [];
    let cursor: number | null | undefined;
    let pages = 0;
    do {
      const p = await page(`?limit=30${cursor ? `&before=${cursor}` : ""}`);
      seen.push(...p.entries.map((e) => e.id));
      cursor = p.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it("says there is no more when the last page is exactly full", async () => {
    const all = await page("?limit=500");
    const n = all.entries.length;
    expect((await page(`?limit=${n}`)).next_cursor).toBeNull();
    const short = await page(`?limit=${n - 1}`);
    expect(short.next_cursor).toBe(all.entries[n - 2]!.id);
    const last = await page(`?limit=${n - 1}&before=${short.next_cursor}`);
    expect(last.entries.map((e) => e.id)).toEqual([all.entries[n - 1]!.id]);
    expect(last.next_cursor).toBeNull();
  });

  it("keeps later pages steady while new rows are written on top", async () => {
    const first = await page("?limit=50");
    await t.app.inject({
      method: "POST",
      url: `/api/v1/accounts/${accountId}/contacts`,
      headers: await t.as("csr"),
      payload: { channel: "email", reason_code: "other", outcome: "resolved" },
    });
    const second = await page(`?limit=50&before=${first.next_cursor}`);
    expect(second.entries[0]!.id).toBeLessThan(first.entries[49]!.id);
    expect(second.entries.map((e) => e.id)).not.toContain(first.entries[49]!.id);
    expect((await page("?limit=1")).entries[0]!.action).toBe("contact.create");
  });

  it("refuses a bad cursor or limit naming the field", async () => {
    for (const [query, field] of [
      ["?before=abc", "before"],
      ["?before=0", "before"],
      ["?limit=0", "limit"],
      ["?limit=501", "limit"],
    ] as const) {
      const res = await history(query);
      expect(res.statusCode, query).toBe(400);
      expect(JSON.stringify(res.json().errors), query).toContain(field);
    }
  });
});
