export { type BillPart, type BulkBillInput, type BulkBillPosted, postBillsBulk } from "./bulk-bills.js";
export {
  type BulkCreditInput,
  type BulkCreditOptions,
  type BulkCreditPosted,
  postCreditsBulk,
} from "./bulk-credits.js";
export {
  CATEGORY_PURPOSE,
  CREDIT_PURPOSE,
  type GlAccountView,
  listGlAccounts,
  type Subledger,
  subledgerAccounts,
} from "./chart.js";
export type { MatchView } from "./clearing.js";
export { postCredit } from "./credits.js";
export { checkRange, type GlSummary, type GlSummaryLine, glSummary, glSummaryCsv } from "./gl-summary.js";
export {
  type ChargeInput,
  CREDIT_KINDS,
  type CreditInput,
  type CreditKind,
  type GeneralEntryInput,
  type GeneralPosting,
  ITEM_CATEGORIES,
  type ItemCategory,
} from "./inputs.js";
export { postGeneralEntry } from "./journal.js";
export { clearingOrder, matchCredits } from "./matching.js";
export {
  type AccountBalances,
  type AccountItems,
  accountBalances,
  accountItems,
  accountLedger,
  type LedgerLine,
} from "./queries.js";
export {
  type ChargePosted,
  type CreditPosted,
  type CreditView,
  type ItemView,
  postCharge,
} from "./receivables.js";
export { type ReversalPosted, reverseEntry } from "./reversal.js";
export { ledgerRoutes } from "./routes.js";
export {
  accountBalances as accountBalancesTable,
  glAccounts,
  journalEntries,
  journalPostings,
  receivableCredits,
  receivableItems,
  receivableMatches,
} from "./schema.js";
export { describeViolation, type LedgerVerification, type LedgerViolation, verifyLedger } from "./verify.js";
