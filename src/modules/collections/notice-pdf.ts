/**
 * A collection notice as the customer receives it: the utility's letterhead, the customer's name and mailing
 * address, the notice's date and title, the sentence the run wrote (amount, due date, the disconnection date), what
 * the customer can do (pay, arrange, dispute, certify a medical need, ask about assistance: what PUC 779.1 and
 * 10010.1 ask a notice to say), and a payment stub with the scan line. Rendered from the kept event, so a notice
 * printed again is the same letter.
 */

import { sql } from "drizzle-orm";
import PDFDocument from "pdfkit";
import { formatCents } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { notFound } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { currentSetting } from "../../platform/settings.js";
import { billContactLines, billRemittanceAddress, scanLine } from "../billing/index.js";
import { receiptUtilityName } from "../payments/index.js";
import { NOTICE_KINDS } from "./summary.js";

const TITLES: Record<string, string> = {
  reminder: "Reminder: your payment is past due",
  notice: "Past-due notice: service may be disconnected",
  final_notice: "Final notice: disconnection in 48 hours",
  arrangement_broken: "Your payment arrangement has ended",
  closed_notice: "Your closed account has a balance due",
  closed_final_notice: "Final notice: your closed account will be referred for collection",
};

type NoticeRow = {
  id: bigint;
  account_id: bigint;
  on_date: string;
  kind: string;
  explanation: string;
  past_due_cents: bigint;
  account_number: string;
  name: string;
  mailing: (string | null)[] | null;
};

/** What the notice tells the customer they can do. */
function options(kind: string, contact: string[]): string[] {
  const call = contact[0] ?? "Call customer service";
  if (kind === "closed_notice" || kind === "closed_final_notice") {
    return [
      "Pay the balance by mail with the stub below, online, by phone or at our office.",
      "If you cannot pay in full, call us to arrange to pay over time.",
      "If you believe this amount is wrong, you may dispute it: call us, and while we investigate it is not collected.",
      ...(kind === "closed_final_notice"
        ? ["Unpaid, the balance will be written off and referred to a collection agency, which may report it."]
        : []),
      call,
    ];
  }
  return [
    "Pay the past-due amount by mail with the stub below, online, by phone or at our office.",
    "If you cannot pay in full, call us to arrange to pay over time (up to 12 months) or for more time to pay.",
    "If you believe this amount is wrong, you may dispute it: call us, and while we investigate the disputed amount is not collected and service is not disconnected for it.",
    "If someone in your home needs electricity for medical reasons (life support, medical baseline), tell us: a physician's certification protects service while you pay under an arrangement.",
    "Help paying may be available: energy assistance (LIHEAP) through your local agency, and discounted rates (CARE, FERA) if your household qualifies.",
    ...(kind === "final_notice"
      ? [
          "To keep your service, pay or call before the date above. Restoring service after a disconnection may cost a reconnection fee and a deposit.",
        ]
      : []),
    call,
  ];
}

/** The notice's letter (404 naming the notice when there is none, or when the event is not a notice). */
export async function noticePdf(ctx: Ctx, id: number): Promise<Buffer> {
  const [n] = await preparedRows<NoticeRow>(
    ctx,
    sql`SELECT e.id, e.account_id, e.on_date::text AS on_date, e.kind, e.explanation, e.past_due_cents,
          a.account_number, pa.display_name AS name,
          CASE WHEN a.mailing_line1 IS NOT NULL
               THEN ARRAY[a.mailing_line1, a.mailing_line2, a.mailing_city, a.mailing_state, a.mailing_zip]
               ELSE ARRAY[pa.mailing_line1, pa.mailing_line2, pa.mailing_city, pa.mailing_state, pa.mailing_zip]
          END AS mailing
        FROM collection_events AS e JOIN accounts AS a ON a.id = e.account_id
        JOIN parties AS pa ON pa.id = a.main_party_id
        WHERE e.id = ${id}::int8`,
  );
  if (!n || !NOTICE_KINDS.includes(n.kind)) throw notFound(`notice ${id}`, "notice_id");
  const utility = await currentSetting(ctx, receiptUtilityName);
  const contact = await currentSetting(ctx, billContactLines);
  const remittance = await currentSetting(ctx, billRemittanceAddress);
  const m = n.mailing ?? [];
  const address = [m[0], m[1], [m[2], m[3], m[4]].filter(Boolean).join(" ")].filter(
    (x): x is string => typeof x === "string" && x.trim() !== "",
  );
  const cents = BigInt(n.past_due_cents);

  const doc = new PDFDocument({
    size: "LETTER",
    margins: { top: 48, left: 54, right: 54, bottom: 36 },
    info: {
      Title: `${TITLES[n.kind]}, account ${n.account_number}`,
      Author: utility,
      Subject: `Notice ${n.id} of ${n.on_date}`,
      CreationDate: new Date(`${n.on_date}T12:00:00Z`),
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const left = 54;
  const width = doc.page.width - 108;

  doc.font("Helvetica-Bold").fontSize(16).text(utility, left, 48, { width });
  doc.font("Helvetica").fontSize(8.5);
  for (const line of contact) doc.text(line, { width });
  doc.moveDown(1.5);
  doc.fontSize(10).text(n.name);
  for (const line of address) doc.text(line);
  doc.moveDown(1);
  doc.text(`Date: ${n.on_date}`);
  doc.text(`Account: ${n.account_number}`);
  doc.text(`Amount past due: ${formatCents(cents)}`);
  doc.moveDown(1);
  doc.font("Helvetica-Bold").fontSize(14).text(TITLES[n.kind]!, { width });
  doc.moveDown(0.5);
  doc.font("Helvetica").fontSize(10.5).text(n.explanation, { width });
  doc.moveDown(0.8);
  doc.font("Helvetica-Bold").fontSize(10).text("What you can do");
  doc.font("Helvetica").fontSize(9.5);
  for (const line of options(n.kind, contact)) doc.text(`•  ${line}`, { width, paragraphGap: 3 });

  // The payment stub, for a window envelope: the remittance address and the scan line.
  const top = doc.page.height - 150;
  doc
    .moveTo(left, top)
    .lineTo(left + width, top)
    .dash(3, { space: 3 })
    .stroke()
    .undash();
  doc.fontSize(8).text("Return this part with your payment", left, top + 6, { width });
  doc.fontSize(10).text(`Account ${n.account_number}`, left, top + 24);
  doc.text(`Amount past due ${formatCents(cents)}`, left, top + 38);
  doc.text("Amount enclosed $______________", left, top + 52);
  doc.fontSize(9).text(remittance.join("\n"), left + width / 2, top + 24, { width: width / 2 });
  doc
    .font("Courier")
    .fontSize(11)
    .text(scanLine(n.account_number, cents), left, top + 100, { width, align: "right" });
  doc.end();
  return done;
}
