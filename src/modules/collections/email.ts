/**
 * Notices by email: every notice the run wrote for an account that takes its notices by email goes to the main
 * customer's address, the letter attached as a PDF. Each notice is claimed, sent and marked emailed in one short
 * transaction, so a rerun (or a second sender at once) never sends it again; one that cannot be emailed (no
 * address, no mail server, the server refused it) keeps the reason in email_error and its letter goes by mail.
 */
import { sql } from "drizzle-orm";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { type Mailer, MailRefused, MailUnavailable, withMailer } from "../../platform/mailer.js";
import { preparedRows } from "../../platform/prepared.js";
import { currentSetting } from "../../platform/settings.js";
import { billContactLines } from "../billing/index.js";
import { receiptUtilityName } from "../payments/index.js";
import { noticePdf } from "./notice-pdf.js";
import { plusDays } from "./steps.js";

/** Notices read and sent per batch. */
export const EMAIL_BATCH = 200;

/**
 * How far back a run looks for notices still to email: a run that stopped before its emails is caught up by the next
 * days' runs, but a notice older than this (from before notices were emailed, or long past) is never emailed late.
 */
export const EMAIL_CATCH_UP_DAYS = 7;

const SUBJECTS: Record<string, string> = {
  reminder: "Payment reminder",
  notice: "Past-due notice",
  final_notice: "Final notice before disconnection",
  arrangement_broken: "Your payment arrangement has ended",
  closed_notice: "Balance due notice",
  closed_final_notice: "Final notice before collection referral",
};

const BY_MAIL = "the letter goes by mail instead.";

type Due = {
  id: bigint;
  account_id: bigint;
  on_date: string;
  kind: string;
  explanation: string;
  past_due_cents: bigint;
  account_number: string;
  name: string;
  email: string | null;
};

export interface EmailRunResult {
  emailed: number;
  email_failed: number;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The email's subject and bodies: the notice's title, what it says, and where the letter is. */
function compose(n: Due, utility: string, contact: string[]) {
  const title = SUBJECTS[n.kind] ?? "Notice";
  const paragraphs = [
    `Dear ${n.name},`,
    `${title} for account ${n.account_number}, dated ${n.on_date}. Amount past due: ${formatCents(BigInt(n.past_due_cents))}.`,
    n.explanation,
    "Your letter is attached as a PDF: it says what you can do (pay, arrange to pay over time, or dispute the " +
      "amount) and how to reach us. If you have paid already, thank you: please disregard this notice.",
  ];
  const signature = [utility, ...contact];
  return {
    subject: `${title} for account ${n.account_number}`,
    text: `${[...paragraphs, signature.join("\n")].join("\n\n")}\n`,
    html: `${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}\n<p>${signature.map(escapeHtml).join("<br>\n")}</p>\n`,
  };
}

/** Marks notices not emailed, with why: the letter goes by mail. Only notices still waiting are marked. */
async function fail(ctx: Ctx, ids: bigint[], reason: string) {
  if (ids.length === 0) return 0;
  const done = await preparedRows<{ id: bigint; account_id: bigint }>(
    ctx,
    sql`UPDATE collection_events SET email_error = ${reason}
        WHERE id = ANY (${sql.param(ids.map(String))}::int8[]) AND emailed_at IS NULL AND email_error IS NULL
        RETURNING id, account_id`,
  );
  await audit(
    ctx,
    ...done.map((d) => ({
      entityType: "collection_notice",
      entityId: Number(d.id),
      accountId: Number(d.account_id),
      action: "collections.notice_email_failed",
      after: { email_error: reason },
    })),
  );
  return done.length;
}

/**
 * Sends one notice: claims it (still waiting, and not being sent by anyone else), sends it and marks it emailed, or
 * records why it was not, in one transaction. Answers emailed, failed, or null when someone else has it.
 */
async function sendOne(
  ctx: Ctx,
  mailer: Mailer,
  n: Due,
  letter: Buffer,
  text: ReturnType<typeof compose>,
): Promise<"emailed" | "failed" | null> {
  return inTx(ctx, async (tx) => {
    const [mine] = await preparedRows<{ id: bigint }>(
      tx,
      sql`SELECT id FROM collection_events
          WHERE id = ${String(n.id)}::int8 AND emailed_at IS NULL AND email_error IS NULL FOR UPDATE SKIP LOCKED`,
    );
    if (!mine) return null;
    const to = n.email!;
    let sent: { messageId: string };
    try {
      sent = await mailer.send({
        to: { name: n.name, address: to },
        ...text,
        attachments: [
          {
            filename: `${n.kind.replace(/_/g, "-")}-${n.account_number}-${n.on_date}.pdf`,
            content: letter,
            contentType: "application/pdf",
          },
        ],
      });
    } catch (e) {
      // Anything but a refusal of this message says the server cannot take mail now.
      if (!(e instanceof MailRefused)) {
        throw e instanceof MailUnavailable ? e : new MailUnavailable(e instanceof Error ? e.message : String(e));
      }
      await fail(tx, [n.id], `The mail server refused the message to ${to} (${e.message}): ${BY_MAIL}`);
      return "failed";
    }
    const at = ctx.clock.now().toString();
    await preparedRows(
      tx,
      sql`UPDATE collection_events SET emailed_at = ${at}::timestamptz WHERE id = ${String(n.id)}::int8`,
    );
    await audit(tx, {
      entityType: "collection_notice",
      entityId: Number(n.id),
      accountId: Number(n.account_id),
      action: "collections.notice_emailed",
      after: { to, message_id: sent.messageId, emailed_at: at },
    });
    return "emailed";
  });
}

/**
 * Emails every notice of the week up to asOf that an account takes by email and that is neither emailed nor failed
 * yet, reading them a batch at a time; answers how many went and how many go by mail instead.
 */
export async function sendNoticeEmails(ctx: Ctx, asOf: string): Promise<EmailRunResult> {
  const result: EmailRunResult = { emailed: 0, email_failed: 0 };
  const utility = await currentSetting(ctx, receiptUtilityName);
  const contact = await currentSetting(ctx, billContactLines);
  await withMailer(ctx.config, async (mailer) => {
    // Once the server cannot be reached, the rest of the run's notices go by mail with the same reason.
    let down: string | null = mailer ? null : `No mail server is configured (KILOWATT_SMTP_URL): ${BY_MAIL}`;
    const since = plusDays(asOf, 1 - EMAIL_CATCH_UP_DAYS);
    let after = { on: since, id: "0" };
    for (;;) {
      const due = await preparedRows<Due>(
        ctx,
        sql`SELECT e.id, e.account_id, e.on_date::text AS on_date, e.kind, e.explanation, e.past_due_cents,
              a.account_number, nullif(btrim(pa.email), '') AS email,
              CASE WHEN pa.kind = 'person' AND pa.last_name IS NOT NULL THEN concat_ws(' ', pa.first_name, pa.last_name)
                   ELSE coalesce(pa.business_name, pa.display_name) END AS name
            FROM collection_events AS e JOIN accounts AS a ON a.id = e.account_id
            JOIN parties AS pa ON pa.id = a.main_party_id
            WHERE e.channel = 'email' AND e.emailed_at IS NULL AND e.email_error IS NULL
              AND e.on_date BETWEEN ${since}::date AND ${asOf}::date
              AND (e.on_date, e.id) > (${after.on}::date, ${after.id}::int8)
            ORDER BY e.on_date, e.id LIMIT ${EMAIL_BATCH}`,
      );
      if (due.length === 0) break;
      const last = due[due.length - 1]!;
      after = { on: last.on_date, id: String(last.id) };
      const unaddressed = due.filter((n) => !n.email).map((n) => n.id);
      result.email_failed += await fail(ctx, unaddressed, `No email address for the customer: ${BY_MAIL}`);
      const addressed = due.filter((n) => n.email);
      if (down || !mailer) {
        result.email_failed += await fail(
          ctx,
          addressed.map((n) => n.id),
          down!,
        );
        continue;
      }
      for (const n of addressed) {
        if (down) {
          result.email_failed += await fail(ctx, [n.id], down);
          continue;
        }
        let letter: Buffer;
        try {
          letter = await noticePdf(ctx, Number(n.id));
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          result.email_failed += await fail(ctx, [n.id], `The letter could not be made for email (${why}): ${BY_MAIL}`);
          continue;
        }
        try {
          const outcome = await sendOne(ctx, mailer, n, letter, compose(n, utility, contact));
          if (outcome === "emailed") result.emailed++;
          else if (outcome === "failed") result.email_failed++;
        } catch (e) {
          if (!(e instanceof MailUnavailable)) throw e;
          down = `The mail server could not be reached (${e.message}): ${BY_MAIL}`;
          result.email_failed += await fail(ctx, [n.id], down);
        }
      }
    }
  });
  return result;
}
