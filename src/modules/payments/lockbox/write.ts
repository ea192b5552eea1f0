import { csvLine } from "../../../platform/csv.js";

/**
 * Lockbox files written in the layouts the parsers read, as the bank would send them: for tests, the benchmark and
 * the examples in docs/lockbox-formats.md.
 */

export interface LockboxRow {
  accountNumber: string | null;
  amountCents: bigint;
  checkNumber?: string | null;
  remitter?: string | null;
}

const dollars = (cents: bigint) => `${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;

/** A lockbox CSV file of one deposit: the header row, then a line per payment, batches of 100 items. */
export function lockboxCsv(depositDate: string, rows: readonly LockboxRow[]): string {
  const out = [csvLine(["deposit_date", "batch", "item", "account_number", "amount", "check_number", "remitter"])];
  rows.forEach((r, i) => {
    out.push(
      csvLine([
        depositDate,
        String(Math.floor(i / 100) + 1).padStart(3, "0"),
        (i % 100) + 1,
        r.accountNumber ?? "",
        dollars(r.amountCents),
        r.checkNumber ?? "",
        r.remitter ?? "",
      ]),
    );
  });
  return out.join("");
}

/**
 * A BAI2 lockbox file of one deposit: one group, one account (the utility's lockbox account, with its total credits
 * summary), a 16 record per payment (type 116; check number in the bank reference, the stub's account number in the
 * customer reference, the remitter in the text), and trailers with their control totals and record counts.
 */
export function lockboxBai2(depositDate: string, rows: readonly LockboxRow[], opts: { lockboxAccount?: string } = {}) {
  const yymmdd = depositDate.slice(2).replaceAll("-", "");
  const total = rows.reduce((sum, r) => sum + r.amountCents, 0n);
  const account = opts.lockboxAccount ?? "000123456789";
  // BAI2 text runs to the end of the record: keep the remitter free of the record's own delimiter.
  const text = (s: string | null | undefined) => (s ?? "").replaceAll("/", " ");
  const lines = [
    `01,BANKOFLOCKBOX,KILOWATT,${yymmdd},0600,1,,,2/`,
    `02,KILOWATT,BANKOFLOCKBOX,1,${yymmdd},0600,USD,2/`,
    `03,${account},USD,100,${total},${rows.length},0/`,
    ...rows.map((r) => `16,116,${r.amountCents},0,${r.checkNumber ?? ""},${r.accountNumber ?? ""},${text(r.remitter)}`),
  ];
  // The account's control total adds its summary amount and every detail amount.
  const control = total * 2n;
  lines.push(`49,${control},${rows.length + 2}/`);
  lines.push(`98,${control},1,${rows.length + 4}/`);
  lines.push(`99,${control},1,${rows.length + 6}/`);
  return `${lines.join("\n")}\n`;
}
