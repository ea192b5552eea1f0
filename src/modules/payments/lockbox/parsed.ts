/** What the lockbox parsers give: the payments of a file with their lines, or every problem found with its line. */

export type LockboxFormat = "csv" | "bai2";

/** One mailed-in payment as the bank read it off the stub. */
export interface LockboxPayment {
  /** The line of the file it is on (1-based; the 16 detail record in BAI2). */
  line: number;
  /** The stub's account number as the bank read it (10 digits), or null when the stub had none. */
  accountNumber: string | null;
  amountCents: bigint;
  checkNumber: string | null;
  remitter: string | null;
  /** The bank's deposit date of the payment (YYYY-MM-DD). */
  depositDate: string;
}

/** A problem with a line of the file. `column` names the field (CSV column or BAI2 field) when there is one. */
export interface LockboxLineError {
  line: number;
  column?: string;
  message: string;
}

export interface ParsedLockbox {
  format: LockboxFormat;
  /** The earliest deposit date of the file. */
  depositDate: string;
  payments: LockboxPayment[];
  totalCents: bigint;
}

export type LockboxParse =
  | { ok: true; file: ParsedLockbox }
  | { ok: false; errors: LockboxLineError[]; errorCount: number };

/** At most this many problems are listed; the count says how many there were in all. */
export const MAX_LISTED_ERRORS = 100;

export const MAX_CHECK_NUMBER = 30;
export const MAX_REMITTER = 200;

/** Collects a file's problems: every one is counted, the first MAX_LISTED_ERRORS are kept. */
export class LineErrors {
  readonly list: LockboxLineError[] = [];
  count = 0;

  add(line: number, message: string, column?: string): void {
    this.count++;
    if (this.list.length < MAX_LISTED_ERRORS) this.list.push(column ? { line, column, message } : { line, message });
  }
}

/** A file's text: UTF-8, else (the bytes are not UTF-8) Windows-1252, as older bank systems write; no BOM. */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("windows-1252").decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The physical lines of a text, split on LF or CRLF (a final line ending adds no empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Whether a YYYY-MM-DD string is a real calendar date. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[mo - 1]!;
}

/**
 * The stub's account number as read, or a problem: blank is fine (no account number: suspense); otherwise exactly 10
 * digits. A wrong check digit is not a problem of the file (the payment goes to suspense), other shapes are.
 */
export function readAccountNumber(raw: string): { value: string | null } | { error: string } {
  const value = raw.trim();
  if (value === "") return { value: null };
  if (!/^\d{10}$/.test(value)) return { error: `"${clip(value)}" is not an account number: 10 digits, or empty` };
  return { value };
}

/** Optional text: trimmed, null when empty, refused when longer than max. */
export function readText(raw: string, max: number, what: string): { value: string | null } | { error: string } {
  const value = raw.trim();
  if (value === "") return { value: null };
  if (value.length > max) return { error: `${what} longer than ${max} characters` };
  if (hasControlCharacter(value)) return { error: `${what} holds control characters` };
  return { value };
}

const hasControlCharacter = (value: string) => {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};

/** A value shortened for an error message. */
export const clip = (value: string, max = 40) => (value.length > max ? `${value.slice(0, max)}...` : value);
