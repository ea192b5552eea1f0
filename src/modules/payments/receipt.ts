import { eq } from "drizzle-orm";
import PDFDocument from "pdfkit";
import { formatCents } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { currentSetting } from "../../platform/settings.js";
import { users } from "../identity/index.js";
import type { PAYMENT_CHANNELS } from "./inputs.js";
import { receiptUtilityName } from "./settings.js";
import { paymentView } from "./views.js";

/** Cents as dollars for people: 123456n -> "$1,234.56" (negative with a minus sign). */
export const dollars = formatCents;

const CHANNEL_NAMES: Record<(typeof PAYMENT_CHANNELS)[number], string> = {
  phone: "By phone",
  mail: "By mail",
  counter: "At the counter",
  drop_box: "Drop box",
  back_office: "Back office",
};

/**
 * The receipt of a payment as a PDF: the utility, the payment number and dates, the tenders (masked: never more than
 * a last four), where the money went by account number, and who took it. `compress: false` keeps the page text
 * readable in the file (tests); the default compresses.
 */
export async function paymentReceipt(ctx: Ctx, id: number, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const p = await paymentView(ctx, id);
  const utility = await currentSetting(ctx, receiptUtilityName);
  const [taker] = await ctx.db.select({ name: users.displayName }).from(users).where(eq(users.username, p.taken_by));
  const doc = new PDFDocument({
    size: "LETTER",
    margin: 54,
    compress: opts.compress ?? true,
    info: {
      Title: `Payment receipt ${p.id}`,
      Author: utility,
      Subject: `Payment ${p.id}`,
      CreationDate: new Date(ctx.clock.now().epochMilliseconds),
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const row = (label: string, value: string, bold = false) => {
    const y = doc.y;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").text(label, left, y, { width: width * 0.65 });
    const after = doc.y;
    doc.text(value, left + width * 0.65, y, { width: width * 0.35, align: "right" });
    doc.y = Math.max(after, doc.y);
  };
  const heading = (text: string) => {
    doc.moveDown(0.8).font("Helvetica-Bold").fontSize(12).text(text, left, doc.y).fontSize(10).moveDown(0.2);
  };

  doc.font("Helvetica-Bold").fontSize(18).text(utility, left, doc.y);
  doc.font("Helvetica").fontSize(13).text("Payment receipt").moveDown(0.6).fontSize(10);
  row("Payment number", String(p.id), true);
  row("Received on", p.received_on);
  row("Posted on", p.accounting_date);
  row("How received", CHANNEL_NAMES[p.channel as keyof typeof CHANNEL_NAMES] ?? p.channel);
  row("Taken by", taker ? `${taker.name} (${p.taken_by})` : p.taken_by);
  if (p.reversal) {
    doc
      .moveDown(0.4)
      .font("Helvetica-Bold")
      .text(`REVERSED on ${p.reversal.reversed_on}: ${p.reversal.reason_label}`, left, doc.y, { width });
  }

  heading("Paid by");
  for (const t of p.tenders) row(t.description, dollars(t.amount_cents));
  row("Total received", dollars(p.total_cents), true);

  heading("Applied to");
  // Where the money is (or was, once reversed); shares moved away show as the transfer notes below.
  for (const line of p.distribution.filter((l) => l.status !== "transferred")) {
    row(`Account ${line.account_number}${line.status === "reversed" ? " (reversed)" : ""}`, dollars(line.amount_cents));
  }
  for (const t of p.transfers) {
    const fromNo = p.accounts.find((a) => a.account_id === t.from_account_id)?.account_number;
    const toNo = p.accounts.find((a) => a.account_id === t.to_account_id)?.account_number;
    doc
      .font("Helvetica-Oblique")
      .text(`${t.accounting_date}: ${dollars(t.amount_cents)} moved from account ${fromNo} to account ${toNo}.`, left);
  }

  doc
    .moveDown(1.5)
    .font("Helvetica")
    .fontSize(8)
    .text(
      "Keep this receipt for your records. Cards and bank accounts are shown by their last four digits only.",
      left,
      doc.y,
      { width },
    );
  doc.end();
  return done;
}
