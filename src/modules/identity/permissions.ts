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
  "payments.take": "take payments (checks, money orders, cards, ACH) onto accounts",
  "payments.reverse": "reverse payments (a returned one adds the returned-payment fee)",
  "payments.transfer": "move a payment posted to the wrong account onto another",
  "adjustments.make": "make charge and credit adjustments (credits over the role's approval limit wait for approval)",
  "refunds.request": "refund credit balances by check or ACH (over the role's approval limit they wait for approval)",
  "approvals.decide": "approve or reject credits and refunds waiting for approval, up to the role's own limit",
  "drawers.use": "open, take counter payments into and close one's own cash drawer",
  "drawers.sign_off": "review closed cash drawers, sign them off and see every drawer's report",
  "batches.key": "key payment batches on the 10-key pad and post them",
  "lockbox.import": "import the bank's lockbox files and work the payment suspense queue",
  "ledger.export": "export the daily GL summary and the refund register",
  "tariffs.read": "see the tariff book, price usage on any tariff and compare rates",
  "tariffs.manage": "add tariffs and tariff versions, and import URDB rate records",
  "bills.read": "see bills, their lines, documents and explanations",
  "reads.write": "key meter reads and accept or replace read exceptions",
  "reads.import": "import meter reads and interval data (CSV, Green Button)",
  "billing.run": "start bill runs for a cycle and date",
  "billing.exceptions": "release, correct and rebill, or cancel held bills; cancel and rebill issued bills",
  "credit.check": "run an external credit check on a customer (through the configured bureau)",
  "deposits.manage": "require deposits as policy decides, and record letters of credit that waive them",
  "levelpay.manage":
    "enrol accounts in level pay at the amount policy gives, and end plans (the deferred balance settled)",
  "collections.read": "see where delinquent accounts stand, the collector's worklist and notices",
  "arrangements.make": "make payment arrangements and extensions within policy",
  "disputes.open": "open disputes on accounts and bill items (the disputed items are not collected)",
  "disputes.resolve": "resolve disputes after investigation",
  "collections.protect": "record energy-assistance pledges and key heat forecasts that hold disconnection",
  "collections.run": "run the daily collections run for a day",
  "service.restore":
    "restore service after a disconnection for non-payment: bills the fee and deposit policy requires, then opens the reconnect order",
  "bankruptcies.manage":
    "record customers' bankruptcy cases (the debt split at the petition date), file proofs of claim, record discharge or dismissal",
  "orders.read": "see service orders and the field worklist",
  "orders.complete": "complete service orders from the field (date, read, notes)",
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
  "tariffs.read",
  "bills.read",
];
const serviceDesk: Permission[] = [
  ...read,
  "customers.write",
  "accounts.write",
  "premises.write",
  "service.write",
  "contacts.write",
  "reads.write",
  "credit.check",
  "deposits.manage",
  "collections.read",
  "orders.read",
  "arrangements.make",
  "disputes.open",
  "collections.protect",
  "service.restore",
  "levelpay.manage",
];

/** Everything that moves money; approval limits per role are a setting (approvals.limit_cents). */
const money: Permission[] = [
  "payments.take",
  "payments.reverse",
  "payments.transfer",
  "adjustments.make",
  "refunds.request",
];
/** The back office's payment work: drawers, batches, lockbox files and suspense. */
const cashiering: Permission[] = ["drawers.use", "batches.key", "lockbox.import"];

/** Roles are bundles of permissions. */
export const ROLES: Record<string, { description: string; permissions: Permission[] }> = {
  csr: {
    description: "Customer service representative",
    permissions: [...serviceDesk, "payments.take", "payments.transfer", "adjustments.make", "refunds.request"],
  },
  cashier: {
    description: "Cashier: counter payments and cash drawer",
    permissions: [...read, "contacts.write", "payments.take", ...cashiering],
  },
  collector: {
    description: "Collections: delinquent accounts",
    permissions: [
      ...read,
      "contacts.write",
      "payments.take",
      "collections.read",
      "orders.read",
      "arrangements.make",
      "disputes.open",
      "collections.protect",
      "collections.run",
      "deposits.manage",
      "service.restore",
      "bankruptcies.manage",
    ],
  },
  lead: {
    description: "Lead CSR: approvals and training",
    permissions: [
      ...serviceDesk,
      "customers.reveal_identity",
      ...money,
      ...cashiering,
      "approvals.decide",
      "disputes.resolve",
      "bankruptcies.manage",
    ],
  },
  supervisor: {
    description: "Supervisor: approvals, queues and team",
    permissions: [
      ...serviceDesk,
      "customers.reveal_identity",
      ...money,
      ...cashiering,
      "approvals.decide",
      "disputes.resolve",
      "collections.run",
      "bankruptcies.manage",
      "drawers.sign_off",
      "ledger.export",
      "reads.write",
      "billing.run",
      "billing.exceptions",
    ],
  },
  billing_analyst: {
    description: "Billing analyst: bill runs and exceptions",
    permissions: [
      ...read,
      "adjustments.make",
      "ledger.export",
      "tariffs.manage",
      "reads.write",
      "reads.import",
      "billing.run",
      "billing.exceptions",
    ],
  },
  field: {
    description: "Field and revenue protection",
    permissions: ["premises.read", "accounts.read", "search.use", "reads.write", "orders.read", "orders.complete"],
  },
  admin: {
    description: "Administrator: users, roles and settings",
    permissions: [...serviceDesk, "customers.reveal_identity", "users.manage", "settings.manage", "tariffs.manage"],
  },
  trainee: { description: "Trainee: reads everything, changes nothing", permissions: [...read] },
};

export const ROLE_NAMES = Object.keys(ROLES);

export function permissionsOf(roles: readonly string[]): Set<string> {
  return new Set(roles.flatMap((r) => ROLES[r]?.permissions ?? []));
}
