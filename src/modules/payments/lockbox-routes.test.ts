import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import { verifyLedger } from "../ledger/index.js";
import { charge, newAccount } from "../ledger/test-fixtures.js";
import { lockboxCsv } from "./lockbox/write.js";
import { balanceOf, moneyCounts, read } from "./test-fixtures.js";

let t: TestApp;
let payer = 0;
let payerNumber = "";

beforeAll(async () => {
  t = await testApp({ now: "2026-03-02T17:00:00Z" });
  payer = await newAccount(t);
  payerNumber = (await read(t, `/api/v1/accounts/${payer}`)).json().account_number;
  await charge(t, payer, 5_000);
});
afterAll(async () => t?.close());

/** Uploads bytes as the raw body. */
async function upload(body: string | Buffer, opts: { name?: string; type?: string; role?: string } = {}) {
  return t.app.inject({
    method: "POST",
    url: `/api/v1/lockbox/files?file_name=${encodeURIComponent(opts.name ?? "lockbox.csv")}`,
    headers: { ...(await t.as(opts.role ?? "cashier")), "content-type": opts.type ?? "text/csv" },
    payload: body,
  });
}

/** Polls the file until its import is done; returns the last view. */
async function untilImported(id: number) {
  for (let i = 0; i < 200; i++) {
    const file = (await read(t, `/api/v1/lockbox/files/${id}`, "cashier")).json();
    if (file.status === "imported") return file;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`lockbox file ${id} did not finish importing`);
}

const goodFile = () =>
  lockboxCsv("2026-03-02", [
    { accountNumber: payerNumber, amountCents: 5_000n, checkNumber: "1001", remitter: "Maria Lopez" },
    { accountNumber: "9999999999", amountCents: 1_234n, checkNumber: "1002", remitter: "Nobody Known" },
    { accountNumber: null, amountCents: 700n, checkNumber: "1003" },
  ]);

describe("lockbox file upload", () => {
  it("imports a valid file in the background: 202, then progress until imported", async () => {
    const res = await upload(goodFile());
    expect(res.statusCode).toBe(202);
    const started = res.json();
    expect(started).toMatchObject({ file_id: expect.any(Number), file: { file_name: "lockbox.csv", item_count: 3 } });
    const file = await untilImported(started.file_id);
    expect(file).toMatchObject({
      status: "imported",
      item_count: 3,
      done_count: 3,
      posted_count: 1,
      posted_cents: 5_000,
      suspense_count: 2,
      suspense_cents: 1_934,
    });
    expect(await balanceOf(t, payer)).toBe(0n);
    const listed = (await read(t, "/api/v1/lockbox/files", "cashier")).json();
    expect(listed.files.map((f: { id: number }) => f.id)).toEqual([started.file_id]);
    const queue = (await read(t, "/api/v1/payment-suspense", "cashier")).json();
    expect(queue.items.map((i: { line_number: number }) => i.line_number)).toEqual([3, 4]);
  });

  it("imports a larger file chunk by chunk, answering other requests between chunks", async () => {
    const rows = Array.from({ length: 1_200 }, (_, i) => ({
      accountNumber: i % 2 === 0 ? payerNumber : null,
      amountCents: 100n + BigInt(i),
      checkNumber: String(5000 + i),
    }));
    const res = await upload(lockboxCsv("2026-03-01", rows), { name: "big.csv" });
    expect(res.statusCode).toBe(202);
    const seen = new Set<number>();
    let file: Record<string, unknown>;
    do {
      file = (await read(t, `/api/v1/lockbox/files/${res.json().file_id}`, "cashier")).json();
      seen.add(file.done_count as number);
      await new Promise((r) => setTimeout(r, 20));
    } while (file.status !== "imported");
    expect(file).toMatchObject({ item_count: 1_200, done_count: 1_200, posted_count: 600, suspense_count: 600 });
    // The polls were answered while the import ran (the counters seen part-way), and progress only goes forward.
    expect([...seen].some((n) => n > 0 && n < 1_200)).toBe(true);
    expect([...seen]).toEqual([...seen].sort((a, b) => a - b));
  });

  it("answers 200 and posts nothing for a file already imported", async () => {
    const before = await moneyCounts(t);
    const res = await upload(goodFile(), { name: "again.csv", type: "application/octet-stream" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ message: "already imported, nothing posted", status: "imported" });
    expect(await moneyCounts(t)).toEqual(before);
  });

  it("refuses a malformed file whole, naming each line, and posts nothing", async () => {
    const before = { ...(await moneyCounts(t)), files: await count(t, "lockbox_files") };
    const bad = [
      "deposit_date,account_number,amount,check_number",
      `2026-03-02,${payerNumber},12.00,1`,
      "2026-03-02,12345,10.00,2",
      `2026-03-02,${payerNumber},1.234,3`,
    ].join("\n");
    const res = await upload(bad, { type: "text/plain" });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.errors.map((e: { line: number; column?: string }) => [e.line, e.column])).toEqual([
      [3, "account_number"],
      [4, "amount"],
    ]);
    expect({ ...(await moneyCounts(t)), files: await count(t, "lockbox_files") }).toEqual(before);
  });

  it("takes files above the API's usual 1 MB body limit", async () => {
    // 2 MB of lines with a bad amount: refused for its lines (400), not for its size (413).
    const line = `2026-03-02,${payerNumber},abc,1\n`;
    const big = `deposit_date,account_number,amount,check_number\n${line.repeat(Math.ceil((2 << 20) / line.length))}`;
    const res = await upload(big);
    expect(res.statusCode).toBe(400);
    expect(res.json().error_count).toBeGreaterThan(50_000);
  });

  it("refuses an empty body, a form or JSON, a missing file name and callers without the permission", async () => {
    expect((await upload("")).statusCode).toBe(400);
    expect((await upload(goodFile(), { type: "application/json" })).statusCode).toBe(400);
    expect((await upload(goodFile(), { type: "multipart/form-data; boundary=x" })).statusCode).toBe(415);
    const unnamed = await t.app.inject({
      method: "POST",
      url: "/api/v1/lockbox/files",
      headers: { ...(await t.as("cashier")), "content-type": "text/csv" },
      payload: goodFile(),
    });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().errors[0].field).toBe("querystring.file_name");
    expect((await upload(goodFile(), { role: "csr" })).statusCode).toBe(403);
    expect((await read(t, "/api/v1/lockbox/files", "csr")).statusCode).toBe(403);
    expect((await read(t, "/api/v1/lockbox/files/9999", "cashier")).statusCode).toBe(404);
  });

  it("leaves the ledger balanced", async () => {
    const v = await verifyLedger(t.ctx);
    expect(v.violations).toEqual([]);
  });
});
