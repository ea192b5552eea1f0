/** Cents as a decimal amount of dollars for files and reports: -1234n -> "-12.34" (no symbol, no grouping). */
export function centsToDecimal(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** Cents as dollars for people: 123456n -> "$1,234.56", -3618n -> "-$36.18". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}$${whole}.${(abs % 100n).toString().padStart(2, "0")}`;
}
