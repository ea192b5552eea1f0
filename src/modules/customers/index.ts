export { type NewCustomer, type NewCustomerInput, newCustomerInput, openNewCustomer } from "./new-customer.js";
export { customersRoutes } from "./routes.js";
export { type AccountView, type AuditEntryView, accountHistory, accountView } from "./view.js";
