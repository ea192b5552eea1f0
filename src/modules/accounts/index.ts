export {
  createEnrolment,
  type EnrolmentView,
  enrolmentsOfAccount,
  listEnrolments,
  updateEnrolment,
} from "./enrolments.js";
export {
  ACCOUNT_STATUSES,
  type AccountChange,
  type AccountInput,
  accountChange,
  accountInput,
  CUSTOMER_CLASSES,
  type EnrolmentInput,
  enrolmentInput,
  NOTICE_CHANNELS,
  PROGRAMS,
} from "./inputs.js";
export { accountsRoutes } from "./routes.js";
export { accountParties, accounts, enrolments } from "./schema.js";
export {
  type AccountResource,
  type AccountRow,
  accountMailing,
  accountPartyLinks,
  accountResource,
  createAccount,
  getAccount,
  isPartyOnAccount,
  partyIdsOnAccount,
  requireAccount,
  updateAccount,
} from "./service.js";
