export {
  DEFAULT_CHUNK_SIZE,
  importLockbox,
  type LockboxImportOptions,
  type LockboxImportResult,
  lockboxRefused,
  type SuspenseReason,
} from "./import.js";
export { detectFormat, parseLockbox } from "./parse.js";
export type { LockboxFormat, LockboxLineError, LockboxParse, LockboxPayment, ParsedLockbox } from "./parsed.js";
export { type LockboxFileSummary, type LockboxFileView, listLockboxFiles, lockboxFileView } from "./views.js";
export { type LockboxRow, lockboxBai2, lockboxCsv } from "./write.js";
