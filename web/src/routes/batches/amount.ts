import { isValidAccountNumber } from "../../../../src/core/account-number.js";
import { money } from "../account/money.js";

/**
 * An amount as the clerk keys it off the tape: dollars, with an optional decimal point and at most two decimals.
 * "125.5" and "125.50" are $125.50; "12550" is $12,550.00 (no implied decimals). Commas and a "$" are allowed.
 */
export function readAmount(text: string): { cents: bigint } | { error: string } {
  const t = text.trim().replace(/^\$\s*/, "");
  if (t === "") return { error: "Key the amount" };
  const m = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === "" && !m[2])) return { error: "An amount in dollars, like 125.50" };
  if ((m[2] ?? "").length > 2) return { error: "At most two decimals: dollars and cents" };
  const cents = BigInt((m[1] || "0").replace(/,/g, "")) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
  if (cents <= 0n) return { error: "More than zero" };
  if (cents > 99_999_999_999n) return { error: "Too large" };
  return { cents };
}

/**
 * What is wrong with an account number as keyed so far. `complete` says the clerk pressed Enter: a short number
 * is wrong only then, while a wrong check digit is flagged as soon as the tenth digit is typed.
 */
export function accountNumberProblem(text: string, complete: boolean): string | null {
  const t = text.trim();
  if (!/^\d*$/.test(t)) return "Digits only";
  if (t.length < 10) return complete ? (t ? "10 digits" : "Key the account number") : null;
  if (t.length > 10) return "10 digits";
  if (t.startsWith("0")) return "Account numbers do not start with 0";
  return isValidAccountNumber(t) ? null : "Check digit does not match";
}

/** Cents as a field's text: 12550 -> "125.50". */
export function amountText(cents: number | bigint): string {
  const s = BigInt(cents).toString().padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** What keeps a batch from posting, in words: the count and the total against the control (control less keyed). */
export function offWords(countDifference: number, totalDifference: bigint): string[] {
  const out: string[] = [];
  const plural = (n: number) => (n === 1 ? "1 payment" : `${n} payments`);
  if (countDifference > 0) out.push(`${plural(countDifference)} still to key`);
  if (countDifference < 0) out.push(`${plural(-countDifference)} more than the control count`);
  if (totalDifference > 0n) out.push(`${money(totalDifference)} short of the control total`);
  if (totalDifference < 0n) out.push(`${money(-totalDifference)} over the control total`);
  return out;
}
