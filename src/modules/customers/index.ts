export { type ActivityEvent, type ActivityPage, accountActivity } from "./activity.js";
export { type NewCustomer, type NewCustomerInput, newCustomerInput, openNewCustomer } from "./new-customer.js";
export { type PartyAccount, partyAccounts } from "./party-accounts.js";
export { customersRoutes } from "./routes.js";
export { type AccountView, type AuditEntryView, type AuditPage, accountHistory, accountView } from "./view.js";
