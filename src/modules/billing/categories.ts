/** How a bill's lines become receivable items: the lines of each category netted; a category in credit a credit. */
import type { Line, LineKind } from "../../core/rates/index.js";
import type { BillPart, ItemCategory } from "../ledger/index.js";

/** Energy and its discounts are energy; the charges for the wires, demand and credits are delivery; taxes, tax. */
export const LINE_CATEGORY: Record<LineKind, ItemCategory> = {
  energy: "energy",
  baseline_credit: "energy",
  discount: "energy",
  customer_charge: "delivery",
  minimum_charge: "delivery",
  demand: "delivery",
  surcharge: "delivery",
  credit: "delivery",
  tax: "tax",
};

const LABEL: Partial<Record<ItemCategory, string>> = { energy: "Energy", delivery: "Delivery", tax: "Taxes" };

export function billParts(lines: readonly Pick<Line, "kind" | "amountCents">[], period: string) {
  const sums = new Map<ItemCategory, bigint>();
  for (const l of lines) sums.set(LINE_CATEGORY[l.kind], (sums.get(LINE_CATEGORY[l.kind]) ?? 0n) + l.amountCents);
  const charges: BillPart[] = [];
  const credits: BillPart[] = [];
  for (const category of ["energy", "delivery", "tax"] as const) {
    const cents = sums.get(category) ?? 0n;
    const description = `${LABEL[category]} ${period}`;
    if (cents > 0n) charges.push({ category, amount_cents: cents, description });
    else if (cents < 0n) credits.push({ category, amount_cents: -cents, description: `${description} (credit)` });
  }
  return { charges, credits };
}
