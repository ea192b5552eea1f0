export { type LevelPayRunResult, runLevelPay } from "./daily.js";
export { decideEnrolment, type EnrolmentDecision, type EnrolmentFacts, enrolmentFacts } from "./eligibility.js";
export { endLevelPay, enrolLevelPay } from "./enrol.js";
export { levelPayJob } from "./jobs.js";
export { applyBill, averageUp, type LevelPayRules, type PlanEvent, type PlanState, reviewedLevel } from "./plan.js";
export { levelPayRoutes } from "./routes.js";
export { levelPayEvents, levelPayPlans } from "./schema.js";
export {
  type LevelPayEventView,
  type LevelPayView,
  levelPayDecisionSource,
  levelPayOf,
  type PlanView,
} from "./summary.js";
