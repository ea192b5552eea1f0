import type { Ctx } from "../../platform/context.js";
import { listGlAccounts } from "../ledger/index.js";
import type { TenderInput, TenderType } from "./inputs.js";
import type { paymentTenders } from "./schema.js";

export type TenderRow = typeof paymentTenders.$inferSelect;

/** The GL account (by purpose) each tender's money sits in until the bank deposit clears. */
export const TENDER_GL_PURPOSE: Record<Exclude<TenderType, "cash">, string> = {
  check: "bank_clearing",
  money_order: "bank_clearing",
  card: "bank_clearing",
  ach: "bank_clearing",
};

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
export function tenderColumns(t: Exclude<TenderInput, { type: "cash" }>) {
  switch (t.type) {
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
 * posted as one credit per GL account its money came from (today every tender clears through the bank: one credit).
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
