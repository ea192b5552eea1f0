export { ADJUSTMENT_KINDS, type AdjustmentInput, adjustmentInput } from "./inputs.js";
export { adjustmentsRoutes } from "./routes.js";
export { adjustments } from "./schema.js";
export {
  type AdjustmentView,
  accountAdjustments,
  creditLimitOf,
  listAdjustmentReasons,
  makeAdjustment,
} from "./service.js";
export { type AdjustmentReason, adjustmentReasons, creditLimitsByRole } from "./settings.js";
