import { parseLockboxBai2 } from "./parse-bai2.js";
import { parseLockboxCsv } from "./parse-csv.js";
import type { LockboxFormat, LockboxParse } from "./parsed.js";

/** The format of a lockbox file from its content: BAI2 starts with an 01 file header record, else it is CSV. */
export function detectFormat(bytes: Uint8Array): LockboxFormat {
  let start = 0;
  // A UTF-8 byte order mark, then any blank lines.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  while (start < bytes.length && (bytes[start] === 0x0a || bytes[start] === 0x0d || bytes[start] === 0x20)) start++;
  return bytes[start] === 0x30 && bytes[start + 1] === 0x31 && bytes[start + 2] === 0x2c ? "bai2" : "csv";
}

/** Parses a lockbox file in the format given, or the one its content shows. */
export function parseLockbox(bytes: Uint8Array, format?: LockboxFormat): LockboxParse {
  return (format ?? detectFormat(bytes)) === "bai2" ? parseLockboxBai2(bytes) : parseLockboxCsv(bytes);
}
