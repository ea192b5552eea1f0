import PDFDocument from "pdfkit";
import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import { ruleRefused } from "../../platform/errors.js";
import { currentSetting } from "../../platform/settings.js";
import { type DrawerView, drawerView } from "./drawer-views.js";
import { dollars } from "./receipt.js";
import { receiptUtilityName } from "./settings.js";

const TENDER_NAMES: Record<string, string> = {
  cash: "Cash",
  check: "Checks",
  money_order: "Money orders",
  card: "Cards",
  ach: "ACH",
};
const STATUS_NAMES: Record<string, string> = { open: "Open", closed: "Closed", signed_off: "Signed off" };

/** A page in the house style of the receipt: the utility's name, a title, label/value rows, headings, columns. */
function sheet(ctx: Ctx, title: string, utility: string, compress: boolean) {
  const doc = new PDFDocument({
    size: "LETTER",
    margin: 54,
    compress,
    info: { Title: title, Author: utility, CreationDate: new Date(ctx.clock.now().epochMilliseconds) },
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
  /** A table row: cells by share of the width; numbers (the last `right` cells) aligned right. */
  const columns = (cells: string[], shares: number[], opts: { bold?: boolean; right?: number } = {}) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 24) doc.addPage();
    const y = doc.y;
    let x = left;
    let bottom = y;
    doc.font(opts.bold ? "Helvetica-Bold" : "Helvetica");
    cells.forEach((cell, i) => {
      const w = width * shares[i]!;
      const align = i >= cells.length - (opts.right ?? 1) ? "right" : "left";
      doc.text(cell, x, y, { width: i === cells.length - 1 ? w : w - 6, align });
      bottom = Math.max(bottom, doc.y);
      x += w;
    });
    doc.y = bottom + 2;
  };
  const note = (text: string) => doc.font("Helvetica-Oblique").text(text, left, doc.y, { width });
  doc.font("Helvetica-Bold").fontSize(18).text(utility, left, doc.y);
  doc.font("Helvetica").fontSize(13).text(title).moveDown(0.6).fontSize(10);
  return { doc, done, row, heading, columns, note, left, width };
}

/** An instant in the utility's zone, to the minute: "2026-03-02 09:05". */
function local(ctx: Ctx, iso: string | null): string {
  if (!iso) return "";
  const z = Temporal.Instant.from(iso).toZonedDateTimeISO(ctx.clock.timezone);
  return `${z.toPlainDate().toString()} ${z.toPlainTime().toString({ smallestUnit: "minute" })}`;
}

const cashierOf = (d: DrawerView) => (d.cashier_name === d.cashier ? d.cashier : `${d.cashier_name} (${d.cashier})`);

/**
 * The drawer report as a PDF: the cashier, date and float; every payment taken into it with its tenders and the GL
 * account each went to; totals by tender; expected, counted and over/short at close; the deposit; the sign-off.
 */
export async function drawerReport(ctx: Ctx, id: number, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const d = await drawerView(ctx, id);
  const utility = await currentSetting(ctx, receiptUtilityName);
  const s = sheet(ctx, `Cash drawer report ${d.id}`, utility, opts.compress ?? true);
  s.row("Drawer", String(d.id), true);
  s.row("Cashier", cashierOf(d));
  s.row("Location", d.location);
  s.row("Business date", d.business_date);
  s.row("Opened", local(ctx, d.opened_at));
  if (d.closed_at) s.row("Closed", `${local(ctx, d.closed_at)} by ${d.closed_by}`);
  s.row("Status", STATUS_NAMES[d.status] ?? d.status);
  s.row("Float", dollars(d.float_cents));

  s.heading("Payments");
  if (d.payments.length === 0) s.note("No payments were taken into this drawer.");
  else
    s.columns(["Payment", "Account", "Tender", "GL account", "Amount"], [0.12, 0.2, 0.36, 0.14, 0.18], { bold: true });
  for (const p of d.payments) {
    const account = p.accounts.map((a) => a.account_number).join(", ");
    for (const t of p.tenders) {
      const reversed = p.status === "reversed" ? ` (reversed ${p.reversed_on})` : "";
      s.columns(
        [String(p.id), account, `${t.description}${reversed}`, t.gl_account, dollars(t.amount_cents)],
        [0.12, 0.2, 0.36, 0.14, 0.18],
      );
    }
  }

  s.heading("Totals by tender (posted payments)");
  s.columns(["Tender", "Items", "Taken", "In the drawer"], [0.4, 0.15, 0.2, 0.25], { bold: true, right: 3 });
  for (const t of d.totals) {
    s.columns(
      [
        TENDER_NAMES[t.tender_type] ?? t.tender_type,
        String(t.taken_count),
        dollars(t.taken_cents),
        t.expected_cents === null ? "not in the drawer" : dollars(t.expected_cents),
      ],
      [0.4, 0.15, 0.2, 0.25],
      { right: 3 },
    );
  }
  s.note("Cash in the drawer includes the float; cards and ACH go to the bank directly.");

  s.heading("Count at close");
  if (!d.counts) {
    s.note("The drawer is still open.");
  } else {
    s.columns(["Tender", "Expected", "Counted", "Over/short"], [0.4, 0.2, 0.2, 0.2], { bold: true, right: 3 });
    for (const c of d.counts) {
      const items = c.counted_count !== null ? ` (${c.counted_count} of ${c.expected_count})` : "";
      s.columns(
        [
          `${TENDER_NAMES[c.tender_type] ?? c.tender_type}${items}`,
          dollars(c.expected_cents),
          dollars(c.counted_cents),
          dollars(c.over_short_cents),
        ],
        [0.4, 0.2, 0.2, 0.2],
        { right: 3 },
      );
    }
    const counted = d.counts.reduce((sum, c) => sum + c.counted_cents, 0n);
    s.columns(
      ["Total", dollars(d.expected_cents), dollars(counted), dollars(d.over_short_cents ?? 0n)],
      [0.4, 0.2, 0.2, 0.2],
      {
        bold: true,
        right: 3,
      },
    );
    const os = d.over_short_cents ?? 0n;
    s.row(os === 0n ? "Balanced" : os < 0n ? "Short" : "Over", dollars(os < 0n ? -os : os), true);
    s.row("Float back to the change fund", dollars(d.float_cents));
    s.row("Deposit to the bank", dollars(d.deposit_cents ?? 0n), true);
    if (d.close_note) s.note(`Note: ${d.close_note}`);
  }

  s.heading("Sign-off");
  if (d.signed_off_by) {
    s.row("Signed off by", `${d.signed_off_by}, ${local(ctx, d.signed_off_at)}`);
    if (d.sign_off_note) s.note(`Note: ${d.sign_off_note}`);
  } else {
    s.note("Not signed off yet.");
  }
  s.doc.end();
  return s.done;
}

/**
 * The bank deposit slip of a closed drawer: the date, each check by number and amount, the money orders, the cash
 * (counted less the float kept) and the deposit total. The items listed are the drawer's posted payments; the
 * totals are what was counted (a difference is noted).
 */
export async function depositSlip(ctx: Ctx, id: number, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const d = await drawerView(ctx, id);
  if (!d.counts) {
    throw ruleRefused("drawers.not_closed", `cash drawer ${id} is still open: its deposit is known once it is closed`, {
      drawer_id: id,
      errors: [{ field: "id", message: "still open" }],
    });
  }
  const utility = await currentSetting(ctx, receiptUtilityName);
  const s = sheet(ctx, "Bank deposit slip", utility, opts.compress ?? true);
  const count = (type: string) => d.counts!.find((c) => c.tender_type === type)!;
  const tenders = d.payments
    .filter((p) => p.status === "posted")
    .flatMap((p) => p.tenders.map((t) => ({ ...t, paymentId: p.id })));
  s.row("Deposit date", d.closed_at ? local(ctx, d.closed_at).slice(0, 10) : d.business_date, true);
  s.row("Business date", d.business_date);
  s.row("Cash drawer", `${d.id}, ${d.location}`);
  s.row("Prepared by", cashierOf(d));

  const listed = (type: string, title: string, number: (t: (typeof tenders)[number]) => string) => {
    const items = tenders.filter((t) => t.type === type);
    s.heading(title);
    if (items.length === 0) return s.note("None.");
    s.columns(["Number", "Payment", "Amount"], [0.5, 0.25, 0.25], { bold: true });
    for (const t of items) s.columns([number(t), String(t.paymentId), dollars(t.amount_cents)], [0.5, 0.25, 0.25]);
    const listedCents = items.reduce((sum, t) => sum + t.amount_cents, 0n);
    const counted = count(type).counted_cents;
    s.columns([`${items.length} listed`, "", dollars(listedCents)], [0.5, 0.25, 0.25], { bold: true });
    if (counted !== listedCents) s.note(`Counted ${dollars(counted)}, which differs from the items listed.`);
  };
  listed("check", "Checks", (t) => `Check #${t.check_number}`);
  listed("money_order", "Money orders", (t) => `Money order #${t.serial_number}`);

  const cash = count("cash").counted_cents - d.float_cents;
  s.heading("Deposit");
  s.row("Cash (counted, less the float kept)", dollars(cash));
  s.row("Checks", dollars(count("check").counted_cents));
  s.row("Money orders", dollars(count("money_order").counted_cents));
  s.row("Deposit total", dollars(d.deposit_cents ?? 0n), true);
  if ((d.deposit_cents ?? 0n) < 0n) {
    s.note("The drawer held less cash than its float: the change fund is made whole from the bank.");
  }
  s.doc.end();
  return s.done;
}
