export {
  type DecisionSource,
  explainPolicy,
  findAccount,
  type PolicyAccount,
  type PolicyDecision,
  type PolicyExplanation,
} from "./decisions.js";
export { policyRoutes } from "./routes.js";
export {
  type PolicyInForce,
  type PolicyRules,
  PROFILE_DEFAULTS,
  PROFILE_TITLES,
  PROFILES,
  type ProfileName,
  policyInForce,
  policyProfile,
  profileRules,
} from "./rules.js";
