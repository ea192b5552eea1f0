export { applyClosedAccountDeposits, type DepositApplied } from "./apply.js";
export { type BureauAnswer, type CreditBureau, configuredBureau, SandboxBureau } from "./bureau.js";
export { creditDecisions } from "./decisions.js";
export {
  DEPOSIT_REASONS,
  type DepositDecision,
  type DepositReason,
  decideDeposit,
  depositAmount,
  letterWaives,
} from "./deposit-decision.js";
export {
  type DepositView,
  depositDecision,
  depositsOf,
  installmentsOf,
  type LetterInput,
  recordLetter,
  requireDeposit,
  runCreditCheck,
} from "./deposits.js";
export { estimateMonthlyBill, type MonthlyEstimate } from "./estimate.js";
export { depositRefundJob } from "./jobs.js";
export { depositInterest, refundDueDeposits } from "./refunds.js";
export { creditRoutes } from "./routes.js";
export {
  billsByDueDate,
  type CreditFacts,
  type CreditRating,
  type CreditScore,
  creditFacts,
  scoreCredit,
} from "./score.js";
export { creditSummary } from "./summary.js";
