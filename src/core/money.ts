/** Cents as a decimal amount of dollars for files and reports: -1234n -> "-12.34" (no symbol, no grouping). */
export function centsToDecimal(cents: bigint): string {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}
