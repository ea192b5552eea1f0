/** Amounts as lockbox files write them: CSV in dollars, BAI2 in cents. */

/** The largest single payment a lockbox file may carry ($99,999,999.99): more is a misread, not a check. */
export const MAX_PAYMENT_CENTS = 9_999_999_999n;

/** CSV dollars: whole dollars or dollars with exactly two decimals ("125", "125.50"); to cents, or a problem. */
export function dollarsToCents(raw: string): { cents: bigint } | { error: string } {
  const value = raw.trim();
  if (value === "") return { error: "missing" };
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return { error: `"${value.slice(0, 20)}" is not an amount: dollars such as 125.50 or 125` };
  const decimals = m[2];
  if (decimals !== undefined && decimals.length !== 2) {
    return {
      error: `${decimals.length} decimal${decimals.length === 1 ? "" : "s"} in ${value.slice(0, 20)}: dollars with exactly 2 decimals, or whole dollars`,
    };
  }
  return positive(BigInt(m[1]!) * 100n + BigInt(decimals ?? "0"));
}

/** BAI2 detail amounts: unsigned whole cents, no decimal point ("12550" is $125.50). */
export function baiCents(raw: string): { cents: bigint } | { error: string } {
  const value = raw.trim();
  if (value === "") return { error: "missing" };
  if (!/^\d+$/.test(value)) return { error: `"${value.slice(0, 20)}" is not an amount: whole cents, digits only` };
  return positive(BigInt(value));
}

/** BAI2 control totals: signed whole cents ("+12550", "-300", "0"). */
export function baiSignedCents(raw: string): bigint | null {
  const value = raw.trim();
  if (!/^[+-]?\d+$/.test(value)) return null;
  return BigInt(value);
}

function positive(cents: bigint): { cents: bigint } | { error: string } {
  if (cents <= 0n) return { error: "must be more than zero" };
  if (cents > MAX_PAYMENT_CENTS) return { error: "more than $99,999,999.99" };
  return { cents };
}
