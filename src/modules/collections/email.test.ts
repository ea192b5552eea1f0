import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson, aPremise, newCustomer } from "../../../tests/support/customer-fixtures.js";
import { type TestApp, testApp } from "../../../tests/support/testkit.js";
import type { Ctx } from "../../platform/context.js";
import { postCharge } from "../ledger/index.js";
import { type CollectionRunResult, runCollections } from "./daily.js";
import { EMAIL_CATCH_UP_DAYS, sendNoticeEmails } from "./email.js";
import { collectionsOf } from "./summary.js";

// A real SMTP listener on a loopback port takes what the run sends; each account's bill falls due on its own day, so
// each case's first notice (the reminder, 3 days after the due date under the default policy) comes on a day of its
// own: an account by email with an address, one by mail, one whose address is gone, one the server refuses, one on
// a day with no mail server configured and one with the server down.

type Part = { headers: Map<string, string>; body: string; parts: Part[] };
type Received = { from: string; to: string[]; raw: string };

/** A MIME entity's headers (unfolded, names in lower case), decoded body and, for a multipart, its parts. */
function parseMime(raw: string): Part {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    const chunks = body.split(`--${boundary}`).slice(1);
    const parts = chunks.filter((c) => !c.startsWith("--")).map((c) => parseMime(c.replace(/^\r\n/, "")));
    return { headers, body: "", parts };
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const decoded =
    encoding === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("latin1")
      : encoding === "quoted-printable"
        ? Buffer.from(
            body
              .replace(/=\r\n/g, "")
              .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            "latin1",
          ).toString("utf8")
        : body;
  return { headers, body: decoded, parts: [] };
}

const leaves = (p: Part): Part[] => (p.parts.length ? p.parts.flatMap(leaves) : [p]);
const typeOf = (p: Part) => (p.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();

let t: TestApp;
let server: SMTPServer;
const received: Received[] = [];
let mailCtx: Ctx;
let downCtx: Ctx;
let serial = 0;
/** How long the listener takes over each message. */
let delayMs = 0;

const at = (day: string) => t.clock.set(`${day}T18:00:00Z`);
const plus = (day: string, n: number) => Temporal.PlainDate.from(day).add({ days: n }).toString();

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  t = await testApp({ now: "2026-01-02T18:00:00Z" });
  server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!address.address.startsWith("refuse")) return callback();
      const err = Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        received.push({
          from,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  mailCtx = {
    ...t.ctx,
    config: { ...t.config, smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: "Notices <notices@utility.example>" },
  };
  downCtx = {
    ...t.ctx,
    config: { ...t.config, smtpUrl: `smtp://127.0.0.1:${await freePort()}`, mailFrom: "notices@utility.example" },
  };
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await t?.close();
});

/** A customer taking notices by `channel`, with a $120 bill due on `due`. */
async function customer(email: string, channel: "mail" | "email", due: string) {
  serial++;
  at("2026-01-02");
  const made = await newCustomer(t, {
    party: aPerson({
      first_name: `Mailed${serial}`,
      email,
      identity: { type: "ssn", number: `234-56-${String(7100 + serial)}` },
    }),
    account: { bill_cycle: "07", notice_channel: channel },
    premise: aPremise({ address_line1: `${500 + serial} Letterbox Lane` }),
    service_agreement: { tariff_code: "E-1", start_date: "2025-12-01" },
  });
  const id = made.account.id as number;
  await postCharge(t.ctx, {
    account_id: id,
    category: "energy",
    amount_cents: 12_000n,
    due_date: due,
    service_period: { from: "2025-12-01", to: "2025-12-31" },
    reference: `bill:email-test:${id}`,
  });
  return { id, number: made.account.account_number as string, email, first: `Mailed${serial}` };
}

/** Runs collections every day from one day to another, both included; answers the last day's result. */
async function days(ctx: Ctx, from: string, to: string) {
  let last: CollectionRunResult | undefined;
  for (let d = from; d <= to; d = plus(d, 1)) {
    at(d);
    last = await runCollections(ctx);
  }
  return last!;
}

async function noticesOf(accountId: number) {
  return t.database.rows<{
    id: bigint;
    on_date: string;
    kind: string;
    channel: string | null;
    emailed_at: string | null;
    email_error: string | null;
  }>(
    t.database.db,
    sql`SELECT id, on_date::text AS on_date, kind, channel, emailed_at::text AS emailed_at, email_error
        FROM collection_events WHERE account_id = ${accountId}::int8 AND channel IS NOT NULL ORDER BY id`,
  );
}

const to = (address: string) => received.filter((m) => m.to.includes(address));

describe("collection notices by email", () => {
  let ada: Awaited<ReturnType<typeof customer>>;
  let paper: Awaited<ReturnType<typeof customer>>;
  let gone: Awaited<ReturnType<typeof customer>>;
  let refused: Awaited<ReturnType<typeof customer>>;
  let unsent: Awaited<ReturnType<typeof customer>>;
  let stranded: Awaited<ReturnType<typeof customer>>;

  beforeAll(async () => {
    ada = await customer("ada.notice@example.com", "email", "2026-01-20");
    paper = await customer("paper.notice@example.com", "mail", "2026-01-20");
    gone = await customer("gone.notice@example.com", "email", "2026-01-30");
    refused = await customer("refuse.notice@example.com", "email", "2026-02-05");
    unsent = await customer("unsent.notice@example.com", "email", "2026-02-10");
    stranded = await customer("stranded.notice@example.com", "email", "2026-02-15");
    // The customer's address was removed after the account chose email.
    await t.database.rows(t.database.db, sql`UPDATE parties SET email = NULL WHERE email = ${gone.email}`);
  }, 120_000);

  it("emails the reminder to the main customer with the letter attached, and leaves mailed notices alone", async () => {
    const result = await days(mailCtx, "2026-01-19", "2026-01-23");
    expect(result).toMatchObject({ reminder: 2, emailed: 1, email_failed: 0 });
    expect(received).toHaveLength(1);
    const [m] = to(ada.email);
    expect(m!.to).toEqual([ada.email]);
    expect(m!.from).toBe("notices@utility.example");
    const mail = parseMime(m!.raw);
    expect(mail.headers.get("subject")).toBe(`Payment reminder for account ${ada.number}`);
    expect(mail.headers.get("to")).toBe(`${ada.first} Lopez <${ada.email}>`);
    expect(mail.headers.get("from")).toBe("Notices <notices@utility.example>");
    const parts = leaves(mail);
    const pdf = parts.find((p) => typeOf(p) === "application/pdf");
    expect(pdf?.body.startsWith("%PDF-")).toBe(true);
    expect(pdf?.headers.get("content-disposition")).toContain(`reminder-${ada.number}-2026-01-23.pdf`);
    const text = parts.find((p) => typeOf(p) === "text/plain")!.body;
    expect(text).toContain(`Payment reminder for account ${ada.number}, dated 2026-01-23. Amount past due: $120.00.`);
    expect(text).toContain("Your letter is attached as a PDF: it says what you can do");
    expect(parts.find((p) => typeOf(p) === "text/html")!.body).toContain(`<p>Dear ${ada.first} Lopez,</p>`);

    expect(await noticesOf(ada.id)).toEqual([
      expect.objectContaining({
        kind: "reminder",
        channel: "email",
        emailed_at: "2026-01-23 18:00:00+00",
        email_error: null,
      }),
    ]);
    expect(await noticesOf(paper.id)).toEqual([
      expect.objectContaining({ kind: "reminder", channel: "mail", emailed_at: null, email_error: null }),
    ]);
    const section = await collectionsOf(t.ctx, ada.id);
    expect(section.events.find((e) => e.kind === "reminder")).toMatchObject({
      emailed_at: "2026-01-23T18:00:00.000Z",
      emailed_to: ada.email,
      email_error: null,
    });
  });

  it("sends nothing more when run again", async () => {
    const again = await runCollections(mailCtx);
    expect(again).toMatchObject({ emailed: 0, email_failed: 0 });
    expect(await sendNoticeEmails(mailCtx, "2026-01-23")).toEqual({ emailed: 0, email_failed: 0 });
    expect(received).toHaveLength(1);
  });

  it("emails the past-due notice on its day", async () => {
    const result = await days(mailCtx, "2026-01-24", "2026-01-27");
    expect(result).toMatchObject({ notice: 2, emailed: 1 });
    const mails = to(ada.email);
    expect(mails).toHaveLength(2);
    expect(parseMime(mails[1]!.raw).headers.get("subject")).toBe(`Past-due notice for account ${ada.number}`);
    expect(to(paper.email)).toHaveLength(0);
  });

  it("records why a notice was not emailed when the customer has no address", async () => {
    await days(mailCtx, "2026-01-28", "2026-02-02");
    const [n] = await noticesOf(gone.id);
    expect(n).toMatchObject({ on_date: "2026-02-02", kind: "reminder", emailed_at: null });
    expect(n!.email_error).toBe("No email address for the customer: the letter goes by mail instead.");
    expect(to(gone.email)).toHaveLength(0);
    expect(received.filter((m) => !m.to.includes(ada.email))).toHaveLength(0);
    const section = await collectionsOf(t.ctx, gone.id);
    expect(section.events.find((e) => e.kind === "reminder")).toMatchObject({
      emailed_at: null,
      emailed_to: null,
      email_error: n!.email_error,
    });
  });

  it("records the server's refusal, and the letter goes by mail", async () => {
    const result = await days(mailCtx, "2026-02-03", "2026-02-08");
    expect(result.email_failed).toBe(1);
    const [n] = await noticesOf(refused.id);
    expect(n).toMatchObject({ on_date: "2026-02-08", emailed_at: null });
    expect(n!.email_error).toMatch(
      /^The mail server refused the message to refuse\.notice@example\.com \(550 .*Mailbox unavailable.*\): the letter goes by mail instead\.$/,
    );
    expect(to(refused.email)).toHaveLength(0);
    // A refused message is not tried again.
    expect(await sendNoticeEmails(mailCtx, "2026-02-08")).toEqual({ emailed: 0, email_failed: 0 });
  });

  it("records that no mail server is configured", async () => {
    const before = received.length;
    await days(t.ctx, "2026-02-09", "2026-02-13");
    const [n] = await noticesOf(unsent.id);
    expect(n).toMatchObject({
      on_date: "2026-02-13",
      emailed_at: null,
      email_error: "No mail server is configured (KILOWATT_SMTP_URL): the letter goes by mail instead.",
    });
    expect(received.length).toBe(before);
  });

  it("records that the mail server could not be reached", async () => {
    const result = await days(downCtx, "2026-02-14", "2026-02-18");
    expect(result.emailed).toBe(0);
    const [n] = await noticesOf(stranded.id);
    expect(n).toMatchObject({ on_date: "2026-02-18", emailed_at: null });
    expect(n!.email_error).toMatch(/^The mail server could not be reached \(.+\): the letter goes by mail instead\.$/);
    expect(to(stranded.email)).toHaveLength(0);
  });

  it("shows the email in the account's collections section over HTTP", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: `/api/v1/accounts/${ada.id}/collections`,
      headers: await t.as("csr"),
    });
    expect(res.statusCode).toBe(200);
    const notice = res.json().events.find((e: { kind: string }) => e.kind === "notice");
    expect(notice).toMatchObject({
      channel: "email",
      emailed_at: "2026-01-27T18:00:00.000Z",
      emailed_to: ada.email,
      email_error: null,
    });
  });

  it("sends each notice once when two senders run at once, and never a notice older than the catch-up days", async () => {
    const twice = await customer("twice.notice@example.com", "email", "2026-03-01");
    const stale = await customer("stale.notice@example.com", "email", "2026-03-01");
    const insert = (accountId: number, day: string, kind: string) =>
      t.database.rows(
        t.database.db,
        sql`INSERT INTO collection_events (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents, channel)
            VALUES (${accountId}::int8, ${day}::date, ${kind}, 'collections.test', 'A notice.', '{}'::jsonb, 12000, 'email')`,
      );
    at("2026-02-20");
    await insert(twice.id, "2026-02-19", "reminder");
    await insert(twice.id, "2026-02-20", "notice");
    await insert(stale.id, plus("2026-02-20", -EMAIL_CATCH_UP_DAYS), "reminder");
    delayMs = 100;
    try {
      const [a, b] = await Promise.all([
        sendNoticeEmails(mailCtx, "2026-02-20"),
        sendNoticeEmails(mailCtx, "2026-02-20"),
      ]);
      expect(a.emailed + b.emailed).toBe(2);
    } finally {
      delayMs = 0;
    }
    expect(to(twice.email).map((m) => parseMime(m.raw).headers.get("subject"))).toEqual([
      `Payment reminder for account ${twice.number}`,
      `Past-due notice for account ${twice.number}`,
    ]);
    expect(await noticesOf(twice.id)).toEqual([
      expect.objectContaining({ emailed_at: "2026-02-20 18:00:00+00", email_error: null }),
      expect.objectContaining({ emailed_at: "2026-02-20 18:00:00+00", email_error: null }),
    ]);
    expect(to(stale.email)).toHaveLength(0);
    expect(await noticesOf(stale.id)).toEqual([expect.objectContaining({ emailed_at: null, email_error: null })]);
    const [audited] = await t.database.rows<{ n: bigint }>(
      t.database.db,
      sql`SELECT count(*) AS n FROM audit_log WHERE action = 'collections.notice_emailed' AND account_id = ${twice.id}::int8`,
    );
    expect(audited!.n).toBe(2n);
  });
});
