/**
 * The proof of claim for a customer's bankruptcy, carrying what the official proof-of-claim form (B 410) asks: the
 * creditor and where notices and payments go, the debtor, court, case number, chapter and petition date; the
 * amount of the claim as of the petition date; its basis (utility services); whether it is secured or subject to
 * setoff (a deposit held); and an itemized statement of the account (each charge for service before the petition,
 * a bill spanning the petition date split by days). Signed by the person filing it.
 */
import { sql } from "drizzle-orm";
import PDFDocument from "pdfkit";
import { formatCents } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { currentSetting } from "../../platform/settings.js";
import { billContactLines, billRemittanceAddress } from "../billing/index.js";
import { receiptUtilityName } from "../payments/index.js";
import { getBankruptcy } from "./bankruptcy.js";

/** The proof of claim as a PDF, signed by the user asking for it, on today's date. */
export async function proofOfClaimPdf(ctx: Ctx, id: number): Promise<Buffer> {
  const b = await getBankruptcy(ctx, id);
  const [user] = await preparedRows<{ display_name: string }>(
    ctx,
    sql`SELECT display_name FROM users WHERE username = ${ctx.actor.username}`,
  );
  const signer = { name: user?.display_name ?? ctx.actor.username, title: "Authorized agent" };
  const [debtor] = await preparedRows<{ name: string; account_number: string; mailing: (string | null)[] }>(
    ctx,
    sql`SELECT pa.display_name AS name, a.account_number,
          ARRAY[pa.mailing_line1, pa.mailing_line2, pa.mailing_city, pa.mailing_state, pa.mailing_zip] AS mailing
        FROM accounts AS a JOIN parties AS pa ON pa.id = a.main_party_id WHERE a.id = ${b.account_id}::int8`,
  );
  const [held] = await preparedRows<{ held: bigint }>(
    ctx,
    sql`SELECT coalesce(sum(ri.original_cents - ri.open_cents), 0)::int8 AS held
        FROM deposits AS d JOIN receivable_items AS ri ON ri.account_id = d.account_id AND ri.category = 'deposit'
          AND ri.reversal_entry_id IS NULL AND ri.reference LIKE 'deposit:' || d.id || ':%'
        WHERE d.account_id = ${b.account_id}::int8 AND d.status = 'billed' AND d.requested_on < ${b.petition_date}::date`,
  );
  const utility = await currentSetting(ctx, receiptUtilityName);
  const remittance = await currentSetting(ctx, billRemittanceAddress);
  const contact = await currentSetting(ctx, billContactLines);
  const deposit = BigInt(held?.held ?? 0n);
  const today = ctx.clock.today().toString();

  const doc = new PDFDocument({
    size: "LETTER",
    margins: { top: 48, left: 54, right: 54, bottom: 48 },
    info: {
      Title: `Proof of claim, case ${b.case_number}`,
      Author: utility,
      Subject: `Proof of claim of ${utility} in the Chapter ${b.chapter} case of ${debtor?.name ?? ""}`,
      CreationDate: new Date(`${today}T12:00:00Z`),
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
  const heading = (text: string) => {
    doc.moveDown(0.8);
    doc.font("Helvetica-Bold").fontSize(11).text(text, { width });
    doc.font("Helvetica").fontSize(9.5);
  };
  const line = (label: string, value: string) => {
    doc.font("Helvetica-Bold").text(`${label}  `, { continued: true, width });
    doc.font("Helvetica").text(value, { width });
  };

  doc.font("Helvetica-Bold").fontSize(16).text("Proof of Claim", left, 48, { width, align: "center" });
  doc.font("Helvetica").fontSize(9).text("Information of Official Form 410", { width, align: "center" });
  doc.moveDown(0.6);
  doc.fontSize(10);
  line("Court:", b.court);
  line("Case number:", b.case_number);
  line("Chapter:", String(b.chapter));
  line("Debtor:", debtor?.name ?? "");
  line("Petition date:", b.petition_date);

  heading("Part 1: Identify the claim");
  line("1. Current creditor:", utility);
  line("2. Acquired from someone else:", "No");
  line("3. Notices and payments to:", [...remittance, ...contact].join("; "));
  line("4. Amends a claim already filed:", "No");
  line("5. Another claim for this claim known:", "No");

  heading("Part 2: Information about the claim as of the date the case was filed");
  line("6. Account number the creditor uses to identify the debtor:", debtor?.account_number ?? "");
  line("7. Amount of the claim:", `${formatCents(b.pre_petition_cents)}, including no interest or other charges`);
  line("8. Basis of the claim:", "Utility services: electric service provided to the debtor before the petition date");
  line("9. Secured:", "No");
  line("10. Based on a lease:", "No");
  line(
    "11. Subject to a right of setoff:",
    deposit > 0n
      ? `Yes: a customer deposit of ${formatCents(deposit)} held by the creditor (11 U.S.C. 366(c)(4), 553)`
      : "No",
  );
  line("12. Entitled to priority:", "No");

  heading("Part 3: Sign below");
  doc.text(
    "I am the creditor's authorized agent. I have examined the information in this proof of claim and have a " +
      "reasonable belief that the information is true and correct. I declare under penalty of perjury that the " +
      "foregoing is true and correct.",
    { width },
  );
  doc.moveDown(0.5);
  line("Date:", today);
  line("Signed:", `/s/ ${signer.name}`);
  line("Name and title:", `${signer.name}, ${signer.title}, ${utility}`);

  heading("Attachment: itemized statement of account");
  const cols = [0, 70, 150, 330, 410] as const;
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(8.5);
    cells.forEach((c, i) => {
      const x = left + cols[i]!;
      const w = (i + 1 < cols.length ? cols[i + 1]! : width) - cols[i]! - 6;
      doc.text(c, x, y, { width: w, align: i >= 3 ? "right" : "left", lineBreak: false });
    });
    doc.x = left;
    doc.y = y + 13;
  };
  row(["Billed", "Service", "Description", "Charged", "Before petition"], true);
  for (const i of b.items) {
    if (doc.y > doc.page.height - 80) doc.addPage();
    row([
      i.accounting_date,
      i.service_from ? `${i.service_from} to ${i.service_to}` : "",
      i.description || i.category,
      formatCents(i.original_cents),
      formatCents(i.pre_petition_cents),
    ]);
  }
  row(["", "", "Total claimed", "", formatCents(b.pre_petition_cents)], true);
  doc.end();
  return done;
}
