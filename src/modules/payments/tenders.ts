import type { Ctx } from "../../platform/context.js";
import { listGlAccounts } from "../ledger/index.js";
import type { TenderInput, TenderType } from "./inputs.js";
import type { paymentTenders } from "./schema.js";

export type TenderRow = typeof paymentTenders.$inferSelect;

/** The tenders a cashier counts into a cash drawer: cash, checks and money orders (cards and ACH go to the bank). */
export const DRAWER_TENDERS = ["cash", "check", "money_order"] as const;
export type DrawerTender = (typeof DRAWER_TENDERS)[number];
export const isDrawerTender = (type: string): type is DrawerTender =>
  (DRAWER_TENDERS as readonly string[]).includes(type);

/**
 * The GL account (by purpose) a tender's money sits in: taken into an open cash drawer, cash, checks and money
 * orders sit in the cash drawers account until the drawer is closed and deposited; anything else (and a check taken
 * without a drawer) clears through the bank. Cash is never taken without a drawer.
 */
export const tenderGlPurpose = (type: TenderType, inDrawer: boolean): string =>
  inDrawer && isDrawerTender(type) ? "cash_drawers" : "bank_clearing";

/** GL account codes by purpose, for the tenders given. */
export async function tenderGlAccounts(ctx: Ctx): Promise<Map<string, string>> {
  const chart = await listGlAccounts(ctx);
  return new Map(chart.filter((g) => g.purpose && g.active).map((g) => [g.purpose!, g.code]));
}

/** A tender as the API and the receipt show it: never more of a card or bank account than its last four. */
export interface TenderView {
  type: string;
  amount_cents: bigint;
  gl_account: string;
  check_number: string | null;
  serial_number: string | null;
  processor_token: string | null;
  brand: string | null;
  last4: string | null;
  routing_last4: string | null;
  /** One line for people: "Check #1234", "VISA ****1111". */
  description: string;
}

const BRAND_NAMES: Record<string, string> = {
  visa: "VISA",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
  other: "Card",
};

/** The tender in a few words, masked. */
export function describeTender(t: Pick<TenderRow, "type" | "checkNumber" | "serialNumber" | "brand" | "last4">) {
  switch (t.type) {
    case "check":
      return `Check #${t.checkNumber}${t.last4 ? ` (account ****${t.last4})` : ""}`;
    case "money_order":
      return `Money order #${t.serialNumber}`;
    case "card":
      return `${BRAND_NAMES[t.brand ?? "other"] ?? "Card"} ****${t.last4}`;
    case "ach":
      return `ACH ****${t.last4}`;
    case "cash":
      return "Cash";
    default:
      return t.type;
  }
}

/** A tender's columns that the API shows (a row read back, or one about to be written). */
export type TenderColumns = Omit<TenderRow, "id" | "paymentId" | "position">;

export const tenderView = (t: TenderColumns): TenderView => ({
  type: t.type,
  amount_cents: t.amountCents,
  gl_account: t.glAccount,
  check_number: t.checkNumber,
  serial_number: t.serialNumber,
  processor_token: t.processorToken,
  brand: t.brand,
  last4: t.last4,
  routing_last4: t.routingLast4,
  description: describeTender(t),
});

/** The columns a tender input fills (a check's and an ACH debit's bank account last four go in `last4`). */
export function tenderColumns(t: TenderInput) {
  switch (t.type) {
    case "cash":
      return {};
    case "check":
      return { checkNumber: t.check_number, routingLast4: t.routing_last4 ?? null, last4: t.account_last4 ?? null };
    case "money_order":
      return { serialNumber: t.serial_number };
    case "card":
      return { processorToken: t.processor_token, brand: t.brand, last4: t.last4 };
    case "ach":
      return { processorToken: t.processor_token, last4: t.account_last4, routingLast4: t.routing_last4 ?? null };
  }
}

/** A part of a distribution share funded from one GL account. */
export interface Funding {
  line: number;
  glAccount: string;
  amountCents: bigint;
}

/**
 * Which tender money funds which distribution share: tenders in order fill shares in order, so each share is
 * posted as one credit per GL account its money came from (a check into a drawer and a card to the bank: two).
 */
export function fundShares(
  tenders: readonly { glAccount: string; amountCents: bigint }[],
  shares: readonly bigint[],
): Funding[] {
  const out: Funding[] = [];
  let t = 0;
  let left = tenders[0]?.amountCents ?? 0n;
  shares.forEach((share, line) => {
    let need = share;
    while (need > 0n && t < tenders.length) {
      const take = left < need ? left : need;
      const gl = tenders[t]!.glAccount;
      const last = out[out.length - 1];
      if (last && last.line === line && last.glAccount === gl) last.amountCents += take;
      else out.push({ line, glAccount: gl, amountCents: take });
      need -= take;
      left -= take;
      if (left === 0n) left = tenders[++t]?.amountCents ?? 0n;
    }
  });
  return out;
}
