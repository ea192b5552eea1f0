export { creditDecisions } from "./decisions.js";
export {
  DEPOSIT_REASONS,
  type DepositDecision,
  type DepositReason,
  decideDeposit,
  depositAmount,
} from "./deposit-decision.js";
export { estimateMonthlyBill, type MonthlyEstimate } from "./estimate.js";
export { type CreditFacts, type CreditRating, type CreditScore, creditFacts, scoreCredit } from "./score.js";
