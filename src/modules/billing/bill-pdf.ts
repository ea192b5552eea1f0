import { Decimal } from "decimal.js";
import PDFDocument from "pdfkit";
import { luhnCheckDigit, passesLuhn } from "../../core/account-number.js";
import type { Ctx } from "../../platform/context.js";
import { currentSetting } from "../../platform/settings.js";
import { dollars, receiptUtilityName } from "../payments/index.js";
import {
  type BillAgreement,
  type BillLine,
  type BillView,
  billView,
  type UsageMonth,
  usageHistory,
} from "./bill-views.js";
import { levelPayTerms } from "./level-pay-terms.js";
import { billContactLines, billRemittanceAddress } from "./settings.js";

/**
 * The scan line of a payment stub (docs/bill-scan-line.md): the account number (10 digits), the amount due in
 * cents zero-padded to 10 digits (0 for a credit balance), and a Luhn check digit over those 20 digits, grouped by
 * spaces: "1234567897 0000021143 4".
 */
export function scanLine(accountNumber: string, amountDueCents: bigint): string {
  if (!/^\d{10}$/.test(accountNumber)) throw new Error(`a scan line needs a 10-digit account number: ${accountNumber}`);
  const cents = amountDueCents > 0n ? amountDueCents : 0n;
  if (cents > 9_999_999_999n) throw new Error(`an amount due of ${cents} cents does not fit a scan line`);
  const amount = cents.toString().padStart(10, "0");
  return `${accountNumber} ${amount} ${luhnCheckDigit(accountNumber + amount)}`;
}

/** What a scan line says, or null when it is not one (wrong length, a bad check digit, a bad account number). */
export function readScanLine(text: string): { accountNumber: string; amountCents: bigint } | null {
  const digits = text.replace(/\s+/g, "");
  if (!/^\d{21}$/.test(digits) || !passesLuhn(digits)) return null;
  const accountNumber = digits.slice(0, 10);
  if (!passesLuhn(accountNumber)) return null;
  return { accountNumber, amountCents: BigInt(digits.slice(10, 20)) };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const EXCEPTIONS: Record<string, string> = {
  high_usage: "usage much higher than usual",
  consecutive_estimates: "too many estimated reads in a row",
  negative_usage: "a read lower than the one before",
  over_threshold: "an amount over the review threshold",
};

/** kWh for people: "12634.000" -> "12,634", "512.40" -> "512.4". */
export function kwhText(kwh: string): string {
  const [whole, frac] = new Decimal(kwh).toDecimalPlaces(3).toFixed().split(".");
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${frac ? `.${frac}` : ""}`;
}

const monthLabel = (ym: string) => `${MONTHS[Number(ym.slice(5, 7)) - 1]} ${ym.slice(2, 4)}`;
const quantityText = (l: BillLine) =>
  l.quantity === ""
    ? ""
    : l.unit === "day"
      ? `${l.quantity} day${l.quantity === "1" ? "" : "s"}`
      : `${kwhText(l.quantity)} ${l.unit}`;
const priceText = (l: BillLine) =>
  l.price === "" ? "" : `${l.price.startsWith("-") ? `-$${l.price.slice(1)}` : `$${l.price}`}/${l.unit}`;
const readText = (r: { read_on: string; reading: string; kind: string } | null | undefined) =>
  r ? `${kwhText(r.reading)} on ${r.read_on}${r.kind === "actual" ? "" : ` (${r.kind})`}` : "none";
const dailyAverage = (m: UsageMonth | undefined) =>
  m?.kwh && m.days > 0 ? `${new Decimal(m.kwh).div(m.days).toFixed(1)} kWh` : null;

const DARK = "#1f3b57";
const BAR = "#9db4cc";
const MARGIN = 40;
/** The payment stub's top edge on page 1 (the detach line). */
const STUB_TOP = 792 - 30 - 178;

/**
 * A bill as the customer gets it, as a PDF (LETTER): the utility, account, service address and period; the account
 * summary; 13 months of use as a bar chart; each service agreement's meter, reads and lines; the messages; and at
 * the foot of page 1 the payment stub with the remittance address and the scan line. Held and cancelled bills say
 * so across the top. One page for a usual bill, a second when the lines do not fit. `compress: false` keeps the
 * page text readable in the file (tests).
 */
export async function billPdf(ctx: Ctx, billId: number, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const bill = await billView(ctx, billId);
  const history = await usageHistory(ctx, bill);
  const utility = await currentSetting(ctx, receiptUtilityName);
  const remittance = await currentSetting(ctx, billRemittanceAddress);
  const contact = await currentSetting(ctx, billContactLines);
  const detail = bill.detail;
  // On level pay the customer owes the level amount (and a true-up falling on the bill) instead of the charges.
  const level = bill.status === "cancelled" ? null : await levelPayTerms(ctx, billId);
  const amountDue = bill.amount_due_cents + (level?.change_cents ?? 0n);

  const doc = new PDFDocument({
    size: "LETTER",
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 30 },
    compress: opts.compress ?? true,
    bufferPages: true,
    info: {
      Title: `Bill ${bill.id}, account ${bill.account_number}`,
      Author: utility,
      Subject: `Electric bill of ${bill.bill_date}`,
      CreationDate: new Date(`${bill.bill_date}T12:00:00Z`),
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const left = MARGIN;
  const width = doc.page.width - 2 * MARGIN;
  const right = left + width;
  /** A label and a value on one line, the value aligned right; returns the next line's y. */
  const pair = (
    x: number,
    y: number,
    w: number,
    label: string,
    value: string,
    bold = false,
    size = 8.5,
    split = 0.62,
  ) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(size);
    doc.text(label, x, y, { width: w * split, lineBreak: false });
    doc.text(value, x + w * split, y, { width: w * (1 - split), align: "right", lineBreak: false });
    return y + size * 1.45;
  };
  /** Room for `h` points: else a new page, with a line saying whose bill it continues. */
  const ensure = (h: number) => {
    const limit = doc.bufferedPageRange().count === 1 ? STUB_TOP - 14 : doc.page.height - 48;
    if (doc.y + h <= limit) return;
    doc.addPage();
    doc.font("Helvetica-Bold").fontSize(9).fillColor("black");
    doc.text(`${utility}: bill of ${bill.bill_date}, account ${bill.account_number} (continued)`, left, MARGIN);
    doc
      .moveTo(left, doc.y + 3)
      .lineTo(right, doc.y + 3)
      .lineWidth(0.5)
      .stroke();
    doc.y += 10;
  };
  const heading = (text: string, note?: string) => {
    ensure(30);
    const y = doc.y + 6;
    doc.font("Helvetica-Bold").fontSize(10).fillColor(DARK).text(text, left, y, { width, lineBreak: false });
    if (note)
      doc
        .font("Helvetica")
        .fontSize(8)
        .text(note, left, y + 1.5, { width, align: "right", lineBreak: false });
    doc.fillColor("black");
    doc.y = y + 15;
  };
  /** A table row: cells by share of the width, the last `rightCells` aligned right; wraps, and breaks the page. */
  const row = (cells: string[], shares: number[], o: { bold?: boolean; rightCells?: number; size?: number } = {}) => {
    const font = () => doc.font(o.bold ? "Helvetica-Bold" : "Helvetica").fontSize(o.size ?? 8.5);
    font();
    const widths = shares.map((s, i) => width * s - (i === shares.length - 1 ? 0 : 6));
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c || " ", { width: widths[i] })));
    ensure(h + 2);
    font();
    const y = doc.y;
    let x = left;
    cells.forEach((cell, i) => {
      const align = i >= cells.length - (o.rightCells ?? 1) ? "right" : "left";
      doc.text(cell, x, y, { width: widths[i], align });
      x += width * shares[i]!;
    });
    doc.y = y + h + 2;
  };
  const rule = (weight = 0.5) => {
    doc.moveTo(left, doc.y).lineTo(right, doc.y).lineWidth(weight).strokeColor("#888888").stroke();
    doc.strokeColor("black");
    doc.y += 4;
  };

  // The header: the utility and how to reach it; the bill's key facts on the right.
  doc.font("Helvetica-Bold").fontSize(18).fillColor(DARK).text(utility, left, MARGIN, { width: 320 });
  doc.fillColor("black").font("Helvetica").fontSize(8);
  for (const line of contact) doc.text(line, left, doc.y, { width: 320 });
  const leftBottom = doc.y;
  const boxX = right - 210;
  doc.font("Helvetica-Bold").fontSize(14).fillColor(DARK);
  doc.text("Your electric bill", boxX, MARGIN, { width: 210, align: "right" }).fillColor("black");
  let y = MARGIN + 22;
  const fact = (label: string, value: string, bold = false) => {
    y = pair(boxX, y, 210, label, value, bold, 8.5, 0.42);
  };
  fact("Account number", bill.account_number, true);
  fact("Bill number", String(bill.id));
  fact("Bill date", bill.bill_date);
  fact("Service period", `${bill.period_from} to ${bill.period_to}`);
  fact("Amount due", dollars(amountDue > 0n ? amountDue : 0n), true);
  fact("Due date", bill.due_date, true);
  doc.y = Math.max(leftBottom, y) + 4;
  rule(1);

  const banner = bannerOf(bill);
  if (banner) {
    const h =
      doc
        .font("Helvetica-Bold")
        .fontSize(9)
        .heightOfString(banner, { width: width - 12 }) + 8;
    doc.rect(left, doc.y, width, h).fill("#fde8e8");
    doc
      .fillColor("#9b1c1c")
      .text(banner, left + 6, doc.y + 4, { width: width - 12 })
      .fillColor("black");
    doc.y += 6;
  }

  // Who and where; the account summary beside it.
  const top = doc.y + 4;
  doc.font("Helvetica-Bold").fontSize(9).text("Account", left, top, { width: 250 });
  doc.font("Helvetica").fontSize(9);
  if (detail.mailing) {
    doc.text(detail.mailing.name, { width: 250 });
    for (const line of detail.mailing.lines) doc.text(line, { width: 250 });
  }
  doc.moveDown(0.4).font("Helvetica-Bold").text("Service address", { width: 250 });
  doc.font("Helvetica").text(detail.service_address ?? "", { width: 250 });
  const whoBottom = doc.y;
  doc
    .font("Helvetica-Bold")
    .fontSize(9)
    .text("Account summary", boxX - 40, top, { width: 250 });
  // Arithmetic the customer can follow: previous balance, less what came in, plus this bill, is what is due.
  const paid = bill.payments_since_cents < 0n ? -bill.payments_since_cents : bill.payments_since_cents;
  const previous = bill.amount_due_cents - bill.total_cents + paid;
  y = top + 14;
  y = pair(boxX - 40, y, 250, "Previous balance", dollars(previous), false, 9);
  y = pair(boxX - 40, y, 250, "Payments and credits, thank you", dollars(-paid), false, 9);
  y = pair(boxX - 40, y, 250, "New charges (details below)", dollars(bill.total_cents), false, 9);
  if (level) y = pair(boxX - 40, y, 250, "Level pay adjustment", dollars(level.change_cents), false, 9);
  doc
    .moveTo(boxX - 40, y - 2)
    .lineTo(right, y - 2)
    .lineWidth(0.5)
    .stroke();
  y = pair(boxX - 40, y + 1, 250, `Amount due by ${bill.due_date}`, dollars(amountDue), true, 10);
  if (level) {
    const trueUp = level.settled_cents === 0n ? "" : `; true-up ${dollars(level.settled_cents)}`;
    doc
      .font("Helvetica")
      .fontSize(8)
      .text(
        `Level pay: you pay ${dollars(level.level_cents)}; deferred balance ${dollars(level.deferred_cents)}${trueUp}`,
        boxX - 40,
        y,
        { width: 250, align: "right" },
      );
    y = doc.y;
  }
  if (amountDue <= 0n) {
    doc
      .font("Helvetica")
      .fontSize(8)
      .text("Nothing to pay: a credit carries to your next bill.", boxX - 40, y, {
        width: 250,
        align: "right",
      });
    y = doc.y;
  }
  doc.y = Math.max(whoBottom, y) + 8;

  drawUsage(doc, history, bill.kwh, left, width);

  // Each service agreement: meter and reads, then the lines as the tariff priced them.
  const agreements = detail.agreements ?? [];
  for (const a of agreements) drawAgreement(a, { heading, row });
  if (agreements.length === 0) heading("No service charges on this bill");
  if (agreements.length > 1) {
    row(["New charges, all services", dollars(bill.total_cents)], [0.8, 0.2], { bold: true });
  }

  const messages = [...(detail.messages ?? [])];
  if (bill.estimated) {
    messages.unshift("This bill uses an estimated read: it is corrected on a later bill once your meter is read.");
  }
  if (messages.length) {
    heading("Messages");
    for (const m of messages) row([`- ${m}`], [1], { rightCells: 0 });
  }

  drawStub(doc, bill, amountDue, utility, remittance, detail.mailing);
  const pages = doc.bufferedPageRange().count;
  for (let i = 0; i < pages; i++) {
    doc.switchToPage(i);
    const at = i === 0 ? STUB_TOP - 11 : doc.page.height - 42;
    doc.font("Helvetica").fontSize(7).fillColor("#555555");
    doc.text(`Page ${i + 1} of ${pages}`, left, at, { width, align: "right", lineBreak: false });
    doc.fillColor("black");
  }
  doc.end();
  return done;
}

/** What a held or cancelled bill says across its top (an issued one says nothing, a rebill names what it replaces). */
function bannerOf(bill: BillView): string | null {
  if (bill.status === "held") {
    const why = bill.exception ? (EXCEPTIONS[bill.exception] ?? bill.exception.replace(/_/g, " ")) : "review";
    return `HELD FOR REVIEW, NOT MAILED: ${why}${bill.exception_note ? ` (${bill.exception_note})` : ""}.`;
  }
  if (bill.status === "cancelled") {
    const by = bill.rebilled_by ? `; replaced by bill ${bill.rebilled_by}` : "";
    return `CANCELLED: ${bill.cancel_reason ?? "no reason given"}${by}. Do not pay from this bill.`;
  }
  if (bill.rebill_of) return `This corrected bill replaces bill ${bill.rebill_of}.`;
  return null;
}

/** The usage chart: a bar a month for 13 months, this bill's month dark, kWh over each bar, months under. */
function drawUsage(doc: PDFKit.PDFDocument, months: UsageMonth[], kwh: string, left: number, width: number) {
  const current = months.find((m) => m.current);
  const yearAgo = months[0];
  const averages = [
    dailyAverage(current) && `${dailyAverage(current)} a day this period`,
    dailyAverage(yearAgo) && `${dailyAverage(yearAgo)} a day a year ago`,
  ].filter(Boolean);
  const top = doc.y + 4;
  doc.font("Helvetica-Bold").fontSize(10).fillColor(DARK);
  doc.text("Your electricity use, last 13 months (kWh)", left, top, { width, lineBreak: false });
  doc.font("Helvetica").fontSize(8).fillColor("black");
  doc.text(`This period: ${kwhText(kwh)} kWh. ${averages.join("; ")}`, left, top + 1.5, {
    width,
    align: "right",
    lineBreak: false,
  });
  const chartTop = top + 26;
  const height = 62;
  const base = chartTop + height;
  const slot = width / months.length;
  const most = Decimal.max(1, ...months.map((m) => m.kwh ?? "0"));
  months.forEach((m, i) => {
    const x = left + i * slot;
    if (m.kwh !== null) {
      const h = Math.max(new Decimal(m.kwh).div(most).times(height).toNumber(), 0.5);
      doc.rect(x + slot * 0.18, base - h, slot * 0.64, h).fill(m.current ? DARK : BAR);
      doc
        .fillColor("black")
        .font(m.current ? "Helvetica-Bold" : "Helvetica")
        .fontSize(6.5);
      doc.text(kwhText(new Decimal(m.kwh).toFixed(0)), x, base - h - 9, {
        width: slot,
        align: "center",
        lineBreak: false,
      });
    }
    doc
      .font(m.current ? "Helvetica-Bold" : "Helvetica")
      .fontSize(7)
      .fillColor("black");
    doc.text(monthLabel(m.month), x, base + 3, { width: slot, align: "center", lineBreak: false });
  });
  doc
    .moveTo(left, base)
    .lineTo(left + width, base)
    .lineWidth(0.75)
    .strokeColor("#555555")
    .stroke();
  doc.strokeColor("black");
  doc.y = base + 16;
}

/** One service agreement's part of the bill: tariff, meter and reads, the lines and their total. */
function drawAgreement(
  a: BillAgreement,
  s: {
    heading: (text: string, note?: string) => void;
    row: (cells: string[], shares: number[], o?: { bold?: boolean; rightCells?: number; size?: number }) => void;
  },
) {
  const days = a.days ? ` (${a.days} days)` : "";
  s.heading(
    `Electric service: ${a.tariff_code}${a.tariff_name ? ` ${a.tariff_name}` : ""}`,
    `Service period ${a.period.from} to ${a.period.to}${days}`,
  );
  const facts = [
    a.territory ? `Baseline territory ${a.territory}` : null,
    a.programs?.length ? `Programs: ${a.programs.map((p) => p.toUpperCase()).join(", ")}` : null,
    a.versions?.length ? `Rates in effect from ${a.versions.join(", ")}` : null,
  ].filter((f): f is string => f !== null);
  if (facts.length) s.row([facts.join(". ")], [1], { rightCells: 0, size: 8 });
  const shares = [0.16, 0.3, 0.3, 0.1, 0.14];
  s.row(["Meter", "Previous read", "Current read", "Multiplier", "kWh used"], shares, { bold: true, rightCells: 2 });
  s.row(
    [
      a.meter_number ?? "",
      readText(a.reads?.start),
      readText(a.reads?.end),
      a.multiplier ?? "1",
      `${kwhText(a.kwh)}${a.estimated ? " (est.)" : ""}`,
    ],
    shares,
    { rightCells: 2 },
  );
  const lineShares = [0.5, 0.16, 0.18, 0.16];
  s.row(["Charges", "Quantity", "Rate", "Amount"], lineShares, { bold: true, rightCells: 3 });
  for (const l of a.lines) {
    s.row([l.description, quantityText(l), priceText(l), dollars(BigInt(l.amount_cents))], lineShares, {
      rightCells: 3,
    });
  }
  s.row([`Total for ${a.tariff_code} service`, dollars(BigInt(a.total_cents))], [0.84, 0.16], { bold: true });
}

/** The payment stub at the foot of page 1: what to pay by when, where to mail it, and the scan line. */
function drawStub(
  doc: PDFKit.PDFDocument,
  bill: BillView,
  amountDue: bigint,
  utility: string,
  remittance: string[],
  mailing: { name: string; lines: string[] } | undefined,
) {
  doc.switchToPage(0);
  const left = MARGIN;
  const width = doc.page.width - 2 * MARGIN;
  doc
    .moveTo(left, STUB_TOP)
    .lineTo(left + width, STUB_TOP)
    .dash(4, { space: 3 })
    .lineWidth(0.75)
    .stroke()
    .undash();
  doc.font("Helvetica").fontSize(7.5).fillColor("#555555");
  doc.text(
    `Please detach and return this part with your payment. Make checks payable to ${utility}.`,
    left,
    STUB_TOP + 5,
    { width, align: "center", lineBreak: false },
  );
  doc.fillColor("black");
  const top = STUB_TOP + 24;
  doc.font("Helvetica-Bold").fontSize(11).text(utility, left, top, { width: 260, lineBreak: false });
  let y = top + 18;
  const box = (label: string, value: string, bold = false) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(9.5);
    doc.text(label, left, y, { width: 140, lineBreak: false });
    doc.text(value, left + 140, y, { width: 120, align: "right", lineBreak: false });
    y += 15;
  };
  box("Account number", bill.account_number, true);
  box("Due date", bill.due_date);
  box("Amount due", dollars(amountDue > 0n ? amountDue : 0n), true);
  box("Amount enclosed", "$ ______________");
  doc.font("Helvetica").fontSize(9);
  if (mailing) {
    doc.text(mailing.name, left, y + 6, { width: 260 });
    for (const line of mailing.lines) doc.text(line, { width: 260 });
  }
  doc
    .font("Helvetica")
    .fontSize(7.5)
    .fillColor("#555555")
    .text("Mail your payment to", left + 320, top + 18);
  doc.fillColor("black").font("Helvetica-Bold").fontSize(10);
  for (const line of remittance) doc.text(line, left + 320, doc.y, { width: width - 320 });
  doc.font("Courier").fontSize(12);
  doc.text(scanLine(bill.account_number, amountDue), left, doc.page.height - 30 - 16, {
    width,
    align: "right",
    lineBreak: false,
  });
}
