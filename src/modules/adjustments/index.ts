export {
  type ApprovalView,
  limitOf,
  type PendingApproval,
} from "./approval-requests.js";
export { accountApprovals, approvalQueue, approveRequest, rejectRequest } from "./approvals.js";
export { ADJUSTMENT_KINDS, type AdjustmentInput, adjustmentInput, type RefundInput, refundInput } from "./inputs.js";
export { refundRegister, refundRegisterCsv } from "./refund-register.js";
export { accountRefunds, type RefundView, requestRefund } from "./refunds.js";
export { adjustmentsRoutes } from "./routes.js";
export { adjustments, approvalRequests, refunds } from "./schema.js";
export {
  type AdjustmentView,
  accountAdjustments,
  listAdjustmentReasons,
  makeAdjustment,
} from "./service.js";
export {
  type AdjustmentReason,
  adjustmentReasons,
  approvalLimits,
  type RefundReason,
  refundReasons,
} from "./settings.js";
