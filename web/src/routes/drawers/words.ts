import { money } from "../account/money.js";

/** Tender types as the drawer screens name them. */
export const TENDER_NAMES: Record<string, string> = {
  cash: "Cash",
  check: "Checks",
  money_order: "Money orders",
  card: "Cards",
  ach: "ACH",
};

/** Over/short in words: "Short $5.00", "Over $1.00", "Balanced". */
export function overShortText(cents: bigint | number | null): string {
  if (cents === null) return "—";
  const c = BigInt(cents);
  if (c === 0n) return "Balanced";
  return c < 0n ? `Short ${money(-c)}` : `Over ${money(c)}`;
}

/** Its colour (dark enough to read on a striped row): red short, blue over, teal balanced. */
export const overShortColor = (cents: bigint | number | null) =>
  cents === null ? undefined : BigInt(cents) < 0n ? "red.9" : BigInt(cents) > 0n ? "blue.9" : "teal.9";

export const STATUS_WORDS: Record<string, string> = { open: "Open", closed: "Closed", signed_off: "Signed off" };

/** The time of an instant, as the workstation's clock shows it ("09:05"). */
export function timeOf(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
