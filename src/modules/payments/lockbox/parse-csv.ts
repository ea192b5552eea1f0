import { dollarsToCents } from "./amounts.js";
import {
  clip,
  decodeText,
  isCalendarDate,
  LineErrors,
  type LockboxParse,
  type LockboxPayment,
  MAX_CHECK_NUMBER,
  MAX_REMITTER,
  readAccountNumber,
  readText,
  splitLines,
} from "./parsed.js";

/**
 * The lockbox CSV layout (docs/lockbox-formats.md): a header row naming the columns, then one payment a line.
 * deposit_date, account_number and amount are required; batch, item, check_number and remitter may be left out;
 * columns may come in any order and columns of other names are ignored.
 */
export const CSV_REQUIRED = ["deposit_date", "account_number", "amount"] as const;
export const CSV_OPTIONAL = ["batch", "item", "check_number", "remitter"] as const;
type Column = (typeof CSV_REQUIRED)[number] | (typeof CSV_OPTIONAL)[number];

/** The fields of one CSV line (RFC 4180 quoting, a quoted field may not span lines), or what is wrong with it. */
export function splitCsvLine(line: string): { fields: string[] } | { error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return { error: "a quoted field is not closed on its line" };
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return { fields };
      if (line[i] !== ",") return { error: `a quoted field is followed by ${clip(line.slice(i), 10)}, not a comma` };
      i++;
    } else {
      const comma = line.indexOf(",", i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return { error: "a quote inside an unquoted field" };
      fields.push(value);
      if (comma < 0) return { fields };
      i = comma + 1;
    }
  }
}

/** Which column is where, from the header row; problems are reported on line 1. */
function readHeader(line: string | undefined, errors: LineErrors): Map<Column, number> | null {
  if (line === undefined || line.trim() === "") {
    errors.add(1, `the file has no header row: it starts with the column names (${CSV_REQUIRED.join(", ")}, ...)`);
    return null;
  }
  const split = splitCsvLine(line);
  if ("error" in split) {
    errors.add(1, `header: ${split.error}`);
    return null;
  }
  const known = new Set<string>([...CSV_REQUIRED, ...CSV_OPTIONAL]);
  const columns = new Map<Column, number>();
  split.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!known.has(name)) return;
    if (columns.has(name as Column)) errors.add(1, `the column ${name} is named twice`, name);
    else columns.set(name as Column, i);
  });
  const missing = CSV_REQUIRED.filter((c) => !columns.has(c));
  if (missing.length) {
    errors.add(1, `the header row lacks ${missing.join(", ")} (it reads: ${clip(line, 80)})`);
    return null;
  }
  return columns;
}

/** Parses a lockbox CSV file: its payments, or every problem with its line (nothing is imported then). */
export function parseLockboxCsv(bytes: Uint8Array): LockboxParse {
  const lines = splitLines(decodeText(bytes));
  const errors = new LineErrors();
  const columns = readHeader(lines[0], errors);
  if (!columns) return { ok: false, errors: errors.list, errorCount: errors.count };
  const payments: LockboxPayment[] = [];
  let total = 0n;
  let depositDate: string | null = null;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    const lineNo = n + 1;
    if (line.trim() === "") continue;
    const split = splitCsvLine(line);
    if ("error" in split) {
      errors.add(lineNo, split.error);
      continue;
    }
    const fields = split.fields;
    const get = (c: Column) => {
      const at = columns.get(c);
      return at === undefined ? "" : fields[at];
    };
    // Fewer fields than the columns read: said once, rather than once per missing column.
    const lacking = [...columns.entries()].filter(([, at]) => at >= fields.length).map(([c]) => c);
    if (lacking.length) {
      errors.add(lineNo, `${fields.length} fields: no ${lacking.join(", ")}`);
      continue;
    }
    const date = get("deposit_date")!.trim();
    if (!isCalendarDate(date)) errors.add(lineNo, `"${clip(date, 20)}" is not a date: YYYY-MM-DD`, "deposit_date");
    const account = readAccountNumber(get("account_number")!);
    if ("error" in account) errors.add(lineNo, account.error, "account_number");
    const amount = dollarsToCents(get("amount")!);
    if ("error" in amount) errors.add(lineNo, amount.error, "amount");
    const check = readText(get("check_number") ?? "", MAX_CHECK_NUMBER, "the check number");
    if ("error" in check) errors.add(lineNo, check.error, "check_number");
    const remitter = readText(get("remitter") ?? "", MAX_REMITTER, "the remitter");
    if ("error" in remitter) errors.add(lineNo, remitter.error, "remitter");
    if (!isCalendarDate(date) || "error" in account || "error" in amount || "error" in check || "error" in remitter) {
      continue;
    }
    if (depositDate === null || date < depositDate) depositDate = date;
    total += amount.cents;
    payments.push({
      line: lineNo,
      accountNumber: account.value,
      amountCents: amount.cents,
      checkNumber: check.value,
      remitter: remitter.value,
      depositDate: date,
    });
  }
  if (errors.count === 0 && payments.length === 0) errors.add(lines.length || 1, "the file has no payments");
  if (errors.count > 0) return { ok: false, errors: errors.list, errorCount: errors.count };
  return { ok: true, file: { format: "csv", depositDate: depositDate!, payments, totalCents: total } };
}
