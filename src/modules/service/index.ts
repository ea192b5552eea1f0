export { AGREEMENT_STATUSES, type AgreementInput, agreementInput, tariffCode } from "./inputs.js";
export { serviceRoutes } from "./routes.js";
export { serviceAgreements } from "./schema.js";
export {
  type AgreementDetail,
  type AgreementView,
  agreementsOfAccount,
  createServiceAgreement,
  getServiceAgreement,
  updateServiceAgreement,
} from "./service.js";
