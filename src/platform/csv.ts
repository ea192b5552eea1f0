/** A CSV field value: text is quoted when it must be (RFC 4180); numbers and bigints are written as they are. */
export type CsvValue = string | number | bigint | null | undefined;

const quote = (v: CsvValue): string => {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One CSV record, ended by CRLF as RFC 4180 says. */
export const csvLine = (values: readonly CsvValue[]): string => `${values.map(quote).join(",")}\r\n`;
