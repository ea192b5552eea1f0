export { addBatchRow, cancelBatch, createBatch, postBatch } from "./batches.js";
export { type BulkPayment, type BulkPosted, postPaymentsBulk } from "./bulk.js";
export { cardNumberFields, holdsCardNumber, luhnValid, refuseCardNumbers } from "./card-numbers.js";
export { type CashOnlyStatus, cashOnlyStatus, cashOnlyStatuses } from "./cash-only.js";
export { reversePayment, transferPayment } from "./corrections.js";
export { closeDrawer, openDrawer, signOffDrawer } from "./drawers.js";
export {
  CARD_BRANDS,
  centsInput,
  PAYMENT_CHANNELS,
  type PaymentInput,
  paymentInput,
  REVERSAL_REASON_CODES,
  REVERSAL_REASONS,
  type ReversalInput,
  TENDER_TYPES,
  type TransferInput,
} from "./inputs.js";
export {
  importLockbox,
  type LockboxFileSummary,
  type LockboxFileView,
  type LockboxImportResult,
  listLockboxFiles,
  lockboxFileView,
} from "./lockbox/index.js";
export { dollars, paymentReceipt } from "./receipt.js";
export { paymentsRoutes } from "./routes.js";
export { cashOnlyPeriods, paymentLines, payments, paymentTenders, paymentTransfers } from "./schema.js";
export { takePayment } from "./service.js";
export {
  cashOnlyMonths,
  cashOnlyRefusedTenders,
  receiptUtilityName,
  returnedPaymentFeeCents,
  returnedPaymentsForCashOnly,
  returnedPaymentWindowMonths,
} from "./settings.js";
export { describeTender } from "./tenders.js";
export { accountPayments, type PaymentSummary, type PaymentView, paymentView } from "./views.js";
