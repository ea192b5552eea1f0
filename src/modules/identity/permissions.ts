/** Every permission Kilowatt names, with what it allows. Routes name one of these (or "authenticated"). */
export const PERMISSIONS = {
  "customers.read": "see customers, their contact details and flags",
  "customers.write": "create and edit customers, flags and enrolments",
  "customers.reveal_identity": "see a customer's full identity number (every reveal is audited)",
  "accounts.read": "see accounts and the account view",
  "accounts.write": "create and edit accounts",
  "premises.read": "see premises, service points and meters",
  "premises.write": "create and edit premises, service points and meters",
  "service.write": "create and edit service agreements",
  "contacts.read": "read the contact log",
  "contacts.write": "log customer contacts",
  "search.use": "search customers and accounts",
  "ledger.read": "see an account's balances, receivable items, credits and ledger, and the chart of GL accounts",
  "audit.read": "read the audit history",
  "users.manage": "create users, change roles, unlock and disable users, issue API tokens for others",
  "settings.read": "read settings",
  "settings.manage": "change effective-dated settings",
} as const;

export type Permission = keyof typeof PERMISSIONS;

const read: Permission[] = [
  "customers.read",
  "accounts.read",
  "premises.read",
  "contacts.read",
  "search.use",
  "audit.read",
  "settings.read",
  "ledger.read",
];
const serviceDesk: Permission[] = [
  ...read,
  "customers.write",
  "accounts.write",
  "premises.write",
  "service.write",
  "contacts.write",
];

/** Roles are bundles of permissions. */
export const ROLES: Record<string, { description: string; permissions: Permission[] }> = {
  csr: { description: "Customer service representative", permissions: serviceDesk },
  cashier: { description: "Cashier: counter payments and cash drawer", permissions: [...read, "contacts.write"] },
  collector: { description: "Collections: delinquent accounts", permissions: [...read, "contacts.write"] },
  lead: { description: "Lead CSR: approvals and training", permissions: [...serviceDesk, "customers.reveal_identity"] },
  supervisor: {
    description: "Supervisor: approvals, queues and team",
    permissions: [...serviceDesk, "customers.reveal_identity"],
  },
  billing_analyst: { description: "Billing analyst: bill runs and exceptions", permissions: [...read] },
  field: { description: "Field and revenue protection", permissions: ["premises.read", "accounts.read", "search.use"] },
  admin: {
    description: "Administrator: users, roles and settings",
    permissions: [...serviceDesk, "customers.reveal_identity", "users.manage", "settings.manage"],
  },
  trainee: { description: "Trainee: reads everything, changes nothing", permissions: [...read] },
};

export const ROLE_NAMES = Object.keys(ROLES);

export function permissionsOf(roles: readonly string[]): Set<string> {
  return new Set(roles.flatMap((r) => ROLES[r]?.permissions ?? []));
}
