export {
  BASELINE_TERRITORIES,
  type InstallInput,
  installInput,
  METER_KINDS,
  type MeterInput,
  meterInput,
  type PremiseInput,
  premiseInput,
  REGISTER_UNITS,
  type ServicePointInput,
  servicePointInput,
} from "./inputs.js";
export { createMeter, getMeter, installMeter, type MeterView, removeMeter, updateMeter } from "./meters.js";
export { premisesRoutes } from "./routes.js";
export { meterInstallations, meterRegisters, meters, premises, servicePoints } from "./schema.js";
export {
  createPremise,
  createServicePoint,
  getPremise,
  type InstalledMeter,
  listServicePoints,
  type PremiseView,
  requireServicePoint,
  type ServicePointDetail,
  type ServicePointView,
  servicePointDetails,
  updatePremise,
} from "./service.js";
