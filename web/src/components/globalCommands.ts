import { notifications } from "@mantine/notifications";
import { useNavigate, useRouter } from "@tanstack/react-router";
import { useCommands } from "../commands/registry.js";
import { useLogout } from "../session.js";
import { useCan } from "../user.js";

/** Puts the cursor in the customer search box (the header's, or the home page's own). */
export function focusSearch() {
  const box = document.querySelector<HTMLInputElement>("[data-account-search]");
  box?.focus();
  box?.select();
}

/** The commands every page has: go home, search, user administration and settings (admins), shortcuts, sign out. */
export function useGlobalCommands({ openShortcuts }: { openShortcuts: () => void }) {
  const navigate = useNavigate();
  const router = useRouter();
  const logout = useLogout();
  const canManageUsers = useCan("users.manage");
  const canOpenCustomers = useCan("customers.write");
  const canLockbox = useCan("lockbox.import");
  const canKeyBatches = useCan("batches.key");
  const canUseDrawer = useCan("drawers.use");
  const canSignOffDrawers = useCan("drawers.sign_off");
  const canExport = useCan("ledger.export");
  const canReadTariffs = useCan("tariffs.read");
  const canRunBills = useCan("billing.run");
  const canWorkBillExceptions = useCan("billing.exceptions");
  const canReadSettings = useCan("settings.read");
  const canManageSettings = useCan("settings.manage");
  const canReadCollections = useCan("collections.read");
  const canReadOrders = useCan("orders.read");
  const canUseDrawers = canUseDrawer || canSignOffDrawers;
  // After signing out the next person starts on the search page, not on the last account viewed.
  const signOut = async () => {
    try {
      await logout.mutateAsync();
      await router.navigate({ to: "/", replace: true });
    } catch (err) {
      notifications.show({ color: "red", title: "Sign-out failed", message: (err as Error).message });
    }
  };

  useCommands([
    {
      id: "search",
      label: "Search customers and accounts",
      description: "Find a customer by name, account number, phone, address or meter",
      group: "Go to",
      shortcut: "/",
      keywords: ["find", "lookup"],
      run: focusSearch,
    },
    {
      id: "home",
      label: "Go home",
      description: "The search page",
      group: "Go to",
      keywords: ["start", "search page"],
      run: () => void navigate({ to: "/" }),
    },
    ...(canOpenCustomers
      ? [
          {
            id: "customer-new",
            label: "New customer",
            description: "Open a customer, account and service in one form (Shift+N)",
            group: "Go to" as const,
            // Shift+N: plain "n" is a page's own "new" (New user on the users page).
            shortcut: "N",
            keywords: ["create", "add", "open account", "start service", "move in"],
            run: () => void navigate({ to: "/customers/new" }),
          },
        ]
      : []),
    ...(canUseDrawers
      ? [
          {
            id: "drawers",
            label: "Cash drawer",
            description: "Open your drawer with a float, see its totals, count and close it; sign off closed drawers",
            group: "Go to" as const,
            keywords: ["drawer", "till", "cash", "float", "tender control", "over short", "deposit", "sign off"],
            run: () => void navigate({ to: "/drawers" }),
          },
        ]
      : []),
    ...(canExport
      ? [
          {
            id: "export-gl-summary",
            label: "Download today's GL summary (CSV)",
            description: "Debits, credits and net per GL account for today's business date, for the ERP",
            group: "Workstation" as const,
            keywords: ["export", "general ledger", "ERP", "journal", "daily", "csv"],
            run: () => window.location.assign("/api/v1/ledger/gl-summary.csv"),
          },
          {
            id: "export-refund-register",
            label: "Download today's refund register (CSV)",
            description: "The refunds posted today, with payee and address, for accounts payable",
            group: "Workstation" as const,
            keywords: ["export", "refunds", "accounts payable", "AP", "csv", "checks"],
            run: () => window.location.assign("/api/v1/refunds/register.csv"),
          },
        ]
      : []),
    ...(canKeyBatches
      ? [
          {
            id: "batches",
            label: "Payment batches",
            description: "Key a stack of mailed payments against the adding-machine tape and post them",
            group: "Go to" as const,
            keywords: ["batch", "mail", "10-key", "ten key", "tape", "control total", "keying"],
            run: () => void navigate({ to: "/batches" }),
          },
        ]
      : []),
    ...(canLockbox
      ? [
          {
            id: "lockbox",
            label: "Lockbox and payment suspense",
            description: "Import the bank's lockbox file; apply or return the payments in suspense",
            group: "Go to" as const,
            keywords: ["lockbox", "bank file", "suspense", "unmatched payments", "upload"],
            run: () => void navigate({ to: "/lockbox" }),
          },
        ]
      : []),
    ...(canReadCollections
      ? [
          {
            id: "collections-worklist",
            label: "Collections worklist",
            description:
              "Accounts in collections, most at stake first: the step, past due, the next step, what holds it",
            group: "Go to" as const,
            keywords: ["collections", "worklist", "delinquent", "past due", "dunning", "collector", "queue"],
            run: () => void navigate({ to: "/collections" }),
          },
          {
            id: "heat-forecasts",
            label: "Heat forecasts",
            description: "Forecast highs by territory that hold disconnection; key them (supervisors)",
            group: "Go to" as const,
            keywords: ["heat", "weather", "temperature", "forecast", "protection", "disconnection"],
            run: () => void navigate({ to: "/collections/heat" }),
          },
        ]
      : []),
    ...(canReadOrders
      ? [
          {
            id: "field-orders",
            label: "Field orders",
            description: "Open disconnect and reconnect orders by due date; complete one with the read and notes",
            group: "Go to" as const,
            keywords: ["service orders", "field", "disconnect", "reconnect", "work orders", "meter", "truck"],
            run: () => void navigate({ to: "/orders" }),
          },
        ]
      : []),
    ...(canRunBills
      ? [
          {
            id: "bill-runs",
            label: "Bill runs",
            description: "Start the bill run of a cycle and watch its progress; the recent runs",
            group: "Go to" as const,
            keywords: ["billing", "bill run", "cycle", "progress", "bills"],
            run: () => void navigate({ to: "/billing/runs" }),
          },
        ]
      : []),
    ...(canWorkBillExceptions
      ? [
          {
            id: "bill-exceptions",
            label: "Bill exceptions",
            description: "Held bills to release, correct and rebill, or cancel",
            group: "Go to" as const,
            keywords: ["billing", "held bills", "review", "release", "rebill", "cancel bill", "queue"],
            run: () => void navigate({ to: "/billing/exceptions" }),
          },
        ]
      : []),
    ...(canReadTariffs
      ? [
          {
            id: "tariffs",
            label: "Tariff book",
            description: "The rate schedules, their versions and prices; import URDB records",
            group: "Go to" as const,
            keywords: ["tariffs", "rates", "rate schedule", "prices", "urdb"],
            run: () => void navigate({ to: "/tariffs" }),
          },
          {
            id: "tariff-quote-bill",
            label: "Quote a bill",
            description: "What a period's usage costs on a tariff, line by line",
            group: "Go to" as const,
            keywords: ["bill calculator", "estimate", "price", "tariff", "kwh"],
            run: () => void navigate({ to: "/tariffs/quote" }),
          },
          {
            id: "tariff-compare",
            label: "Compare rates",
            description: "A year of usage priced on every tariff of the sector, cheapest first",
            group: "Go to" as const,
            keywords: ["rate comparison", "cheapest", "tariff", "analysis", "switch"],
            run: () => void navigate({ to: "/tariffs/compare" }),
          },
        ]
      : []),
    ...(canManageUsers
      ? [
          {
            id: "users",
            label: "User administration",
            description: "Create users, change roles, unlock, reset passwords, issue API tokens",
            group: "Go to" as const,
            keywords: ["admin", "users", "roles", "token", "password"],
            run: () => void navigate({ to: "/admin/users" }),
          },
        ]
      : []),
    ...(canReadSettings
      ? [
          {
            id: "settings",
            label: "Settings",
            description: canManageSettings
              ? "Effective-dated settings and the policy profile with its rules: add or change dated versions"
              : "Effective-dated settings and the policy profile with its rules (read only)",
            group: "Go to" as const,
            keywords: ["admin", "configuration", "policy", "profile", "rules", "deposit", "fees", "effective dated"],
            run: () => void navigate({ to: "/admin/settings" }),
          },
        ]
      : []),
    {
      id: "shortcuts",
      label: "Keyboard shortcuts",
      description: "Show every keyboard shortcut",
      group: "Workstation",
      shortcut: "?",
      keywords: ["help", "keys"],
      run: openShortcuts,
    },
    {
      id: "sign-out",
      label: "Sign out",
      group: "Workstation",
      keywords: ["log out", "logout", "leave"],
      run: () => void signOut(),
    },
  ]);
  return { signOut, canManageUsers };
}
