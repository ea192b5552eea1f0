import { baiCents, baiSignedCents } from "./amounts.js";
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
 * BAI2 lockbox files (docs/lockbox-formats.md): 01 file header, 02 group header (its as-of date is the deposit
 * date), 03 account identifier (the utility's lockbox account at the bank), 16 transaction detail (one payment a
 * record, type code 116 "item in lockbox deposit"), 88 continuation, 49 account trailer, 98 group trailer,
 * 99 file trailer. A 16 record carries the stub's account number in its customer reference field, the check number
 * in its bank reference field and the remitter in its text. Amounts are cents without a decimal point; every
 * trailer's control total and record count is checked, and a file without its 99 trailer is refused as cut off.
 */

/** The detail type code of a payment: "item in lockbox deposit". */
export const LOCKBOX_ITEM_TYPE = "116";

/** One logical record: a physical record with its 88 continuations joined on, by the line it starts on. */
interface LogicalRecord {
  code: string;
  line: number;
  /** The fields after the record code (continuations' fields appended). */
  fields: string[];
  /** The fields of the first physical record alone, and the content of each 88 continuation. */
  first: string[];
  more: string[];
  /** Physical records it spans (1 + its 88s): trailers count physical records. */
  physical: number;
}

/** A record's content after its code, without the "/" that ends it. */
const content = (text: string) => {
  const body = text.replace(/\s+$/, "");
  const rest = body.length > 2 ? body.slice(3) : "";
  return rest.endsWith("/") ? rest.slice(0, -1) : rest;
};

function readRecords(lines: string[], errors: LineErrors): LogicalRecord[] {
  const records: LogicalRecord[] = [];
  lines.forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === "") return;
    const m = /^(\d{2})(?:,|\/|\s*$)/.exec(text);
    if (!m) {
      errors.add(line, `not a BAI2 record: "${clip(text, 30)}" (a record starts with a two-digit code and a comma)`);
      return;
    }
    const code = m[1]!;
    if (code === "88") {
      const last = records[records.length - 1];
      if (!last || last.code === "99") errors.add(line, "an 88 continuation with no record before it to continue");
      else {
        last.fields.push(...content(text).split(","));
        last.more.push(content(text));
        last.physical++;
      }
      return;
    }
    const fields = content(text).split(",");
    records.push({ code, line, fields, first: [...fields], more: [], physical: 1 });
  });
  return records;
}

/** YYMMDD as YYYY-MM-DD (this century), or null. */
function baiDate(raw: string | undefined): string | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec((raw ?? "").trim());
  if (!m) return null;
  const date = `20${m[1]}-${m[2]}-${m[3]}`;
  return isCalendarDate(date) ? date : null;
}

/** How many fields the funds type at `at` takes with its own extra fields, or a problem. */
function fundsTypeWidth(fields: string[], at: number): number | string {
  const type = (fields[at] ?? "").trim().toUpperCase();
  if (type === "" || type === "0" || type === "1" || type === "2" || type === "Z") return 1;
  if (type === "V") return 3; // value date and time
  if (type === "S") return 4; // immediate, one-day and two-or-more-day amounts
  if (type === "D") {
    const n = Number((fields[at + 1] ?? "").trim());
    return Number.isInteger(n) && n >= 0 && n < 100 ? 2 + 2 * n : "funds type D: not a count of distributions";
  }
  return `funds type "${clip(type, 5)}": 0, 1, 2, Z, V, S or D`;
}

/**
 * A 16 record's text, which runs to the end of the record: continued on 88 records, the parts are joined with a
 * space (the text goes on), unless the record's fixed fields themselves ran onto the continuation.
 */
function detailText(r: LogicalRecord, textAt: number): string {
  if (r.first.length < textAt) return r.fields.slice(textAt).join(",");
  return [r.first.slice(textAt).join(","), ...r.more]
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .join(" ");
}

interface Scope {
  line: number;
  records: number;
  total: bigint;
  /** A detail's amount could not be read: its trailer's control total is not compared. */
  unreadable: boolean;
}

const open = (line: number): Scope => ({ line, records: 0, total: 0n, unreadable: false });

/** Compares a trailer's control total and record count with what the file held. */
function checkTrailer(
  r: LogicalRecord,
  scope: Scope,
  what: string,
  totalAt: number,
  countAt: number,
  errors: LineErrors,
) {
  const total = baiSignedCents(r.fields[totalAt] ?? "");
  if (total === null) errors.add(r.line, `the ${what} control total is not whole cents`, "control_total");
  else if (!scope.unreadable && total !== scope.total) {
    errors.add(
      r.line,
      `the ${what} control total is ${total} cents, but the records from line ${scope.line} add up to ${scope.total} cents`,
      "control_total",
    );
  }
  const count = Number((r.fields[countAt] ?? "").trim());
  if (!/^\d+$/.test((r.fields[countAt] ?? "").trim())) {
    errors.add(r.line, `the ${what} record count is not a number`, "number_of_records");
  } else if (count !== scope.records) {
    errors.add(
      r.line,
      `the ${what} says ${count} records, but there are ${scope.records} from line ${scope.line}`,
      "number_of_records",
    );
  }
}

/** Parses a BAI2 lockbox file: its payments, or every problem with its line (nothing is imported then). */
export function parseLockboxBai2(bytes: Uint8Array): LockboxParse {
  const lines = splitLines(decodeText(bytes));
  const errors = new LineErrors();
  const records = readRecords(lines, errors);
  const payments: LockboxPayment[] = [];
  let file: (Scope & { groups: number }) | null = null;
  let group: (Scope & { accounts: number; date: string | null }) | null = null;
  let account: Scope | null = null;
  let ended: LogicalRecord | null = null;
  let total = 0n;
  let depositDate: string | null = null;
  const count = (r: LogicalRecord) => {
    for (const s of [file, group, account]) if (s) s.records += r.physical;
  };
  const addAmount = (cents: bigint) => {
    for (const s of [file, group, account]) if (s) s.total += cents;
  };
  const unreadable = () => {
    for (const s of [file, group, account]) if (s) s.unreadable = true;
  };

  for (const r of records) {
    const f = r.fields;
    if (ended) {
      errors.add(r.line, `a record after the 99 file trailer on line ${ended.line}`);
      continue;
    }
    if (!file && r.code !== "01") {
      errors.add(r.line, `the file must start with an 01 file header, not a ${r.code} record`);
      file = { ...open(r.line), groups: 0 };
    }
    switch (r.code) {
      case "01": {
        if (file) errors.add(r.line, "a second 01 file header");
        file = { ...open(r.line), groups: 0 };
        count(r);
        if ((f[7] ?? "").trim() !== "2") {
          errors.add(r.line, `version "${clip((f[7] ?? "").trim(), 5)}": only BAI version 2 files`, "version_number");
        }
        break;
      }
      case "02": {
        if (group) errors.add(r.line, `the group from line ${group.line} has no 98 group trailer`);
        if (account) errors.add(r.line, `the account from line ${account.line} has no 49 account trailer`);
        account = null;
        const date = baiDate(f[3]);
        if (!date) errors.add(r.line, `the as-of date "${clip(f[3] ?? "", 8)}" is not a date: YYMMDD`, "as_of_date");
        const currency = (f[5] ?? "").trim();
        if (currency !== "" && currency !== "USD") {
          errors.add(r.line, `currency ${clip(currency, 5)}: only USD (amounts are cents)`, "currency_code");
        }
        group = { ...open(r.line), accounts: 0, date };
        if (file) file.groups++;
        count(r);
        break;
      }
      case "03": {
        if (!group) errors.add(r.line, "an 03 account record outside a group (no 02 group header before it)");
        if (account) errors.add(r.line, `the account from line ${account.line} has no 49 account trailer`);
        account = open(r.line);
        if (group) group.accounts++;
        count(r);
        const currency = (f[1] ?? "").trim();
        if (currency !== "" && currency !== "USD") {
          errors.add(r.line, `currency ${clip(currency, 5)}: only USD (amounts are cents)`, "currency_code");
        }
        // Summary fields: type code, amount, item count, funds type (and its extra fields), repeated.
        for (let at = 2; at < f.length && (f[at] ?? "").trim() !== ""; ) {
          const amount = (f[at + 1] ?? "").trim();
          if (amount !== "") {
            const cents = baiSignedCents(amount);
            if (cents === null) {
              errors.add(r.line, `the summary amount "${clip(amount, 20)}" is not whole cents`, "amount");
              unreadable();
            } else addAmount(cents);
          }
          const width = fundsTypeWidth(f, at + 3);
          if (typeof width === "string") {
            errors.add(r.line, width, "funds_type");
            break;
          }
          at += 3 + width;
        }
        break;
      }
      case "16": {
        if (!account) errors.add(r.line, "a 16 detail record outside an account (no 03 account record before it)");
        count(r);
        const type = (f[0] ?? "").trim();
        if (type !== LOCKBOX_ITEM_TYPE) {
          errors.add(r.line, `type code ${clip(type, 5)}: a lockbox payment is type 116`, "type_code");
        }
        const amount = baiCents(f[1] ?? "");
        if ("error" in amount) {
          errors.add(r.line, amount.error, "amount");
          unreadable();
        } else addAmount(amount.cents);
        const width = fundsTypeWidth(f, 2);
        if (typeof width === "string") {
          errors.add(r.line, width, "funds_type");
          break;
        }
        const check = readText(f[2 + width] ?? "", MAX_CHECK_NUMBER, "the check number");
        if ("error" in check) errors.add(r.line, check.error, "bank_reference");
        const stub = readAccountNumber(f[3 + width] ?? "");
        if ("error" in stub) errors.add(r.line, stub.error, "customer_reference");
        const remitter = readText(detailText(r, 4 + width), MAX_REMITTER, "the remitter");
        if ("error" in remitter) errors.add(r.line, remitter.error, "text");
        const date = group?.date ?? null;
        if ("error" in amount || "error" in check || "error" in stub || "error" in remitter || !date) break;
        if (type !== LOCKBOX_ITEM_TYPE) break;
        if (depositDate === null || date < depositDate) depositDate = date;
        total += amount.cents;
        payments.push({
          line: r.line,
          accountNumber: stub.value,
          amountCents: amount.cents,
          checkNumber: check.value,
          remitter: remitter.value,
          depositDate: date,
        });
        break;
      }
      case "49": {
        count(r);
        if (!account) errors.add(r.line, "a 49 account trailer with no 03 account record open");
        else checkTrailer(r, account, "account", 0, 1, errors);
        account = null;
        break;
      }
      case "98": {
        if (account) errors.add(r.line, `the account from line ${account.line} has no 49 account trailer`);
        account = null;
        count(r);
        if (!group) errors.add(r.line, "a 98 group trailer with no 02 group header open");
        else {
          checkTrailer(r, group, "group", 0, 2, errors);
          const accounts = (f[1] ?? "").trim();
          if (accounts !== String(group.accounts)) {
            errors.add(
              r.line,
              `the group trailer says ${clip(accounts, 10)} accounts, but the group has ${group.accounts}`,
              "number_of_accounts",
            );
          }
        }
        group = null;
        break;
      }
      case "99": {
        if (group) errors.add(r.line, `the group from line ${group.line} has no 98 group trailer`);
        if (account) errors.add(r.line, `the account from line ${account.line} has no 49 account trailer`);
        group = null;
        account = null;
        count(r);
        if (file) {
          checkTrailer(r, file, "file", 0, 2, errors);
          const groups = (f[1] ?? "").trim();
          if (groups !== String(file.groups)) {
            errors.add(
              r.line,
              `the file trailer says ${clip(groups, 10)} groups, but the file has ${file.groups}`,
              "number_of_groups",
            );
          }
        }
        ended = r;
        break;
      }
      default:
        errors.add(r.line, `record code ${r.code}: not one of 01, 02, 03, 16, 88, 49, 98, 99`);
    }
  }
  const last = lines.length;
  if (records.length === 0 && errors.count === 0) errors.add(1, "the file is empty");
  else if (!ended) {
    errors.add(
      last,
      `the file ends at line ${last} without its 99 file trailer: it looks cut off, so none of it is imported`,
    );
  }
  if (errors.count === 0 && payments.length === 0) errors.add(1, "the file has no payments (16 records of type 116)");
  if (errors.count > 0) return { ok: false, errors: errors.list, errorCount: errors.count };
  return { ok: true, file: { format: "bai2", depositDate: depositDate!, payments, totalCents: total } };
}
