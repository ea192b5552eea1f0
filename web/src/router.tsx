import { createRootRoute, createRoute, createRouter, Outlet } from "@tanstack/react-router";
import { STEP_WORDS, type Step } from "./api/collections.js";
import { NotFound } from "./components/Messages.js";
import { Shell } from "./components/Shell.js";
import { AccountPage } from "./routes/account/AccountPage.js";
import { SettingsPage } from "./routes/admin/SettingsPage.js";
import { UsersPage } from "./routes/admin/UsersPage.js";
import { ApprovalsPage } from "./routes/approvals/ApprovalsPage.js";
import { BatchesPage } from "./routes/batches/BatchesPage.js";
import { BatchPage } from "./routes/batches/BatchPage.js";
import { BillExceptionsPage } from "./routes/billing/BillExceptionsPage.js";
import { BillRunsPage } from "./routes/billing/BillRunsPage.js";
import { HeatPage } from "./routes/collections/HeatPage.js";
import { WorklistPage } from "./routes/collections/WorklistPage.js";
import { NewCustomerPage } from "./routes/customers/NewCustomerPage.js";
import { DrawerPage } from "./routes/drawers/DrawerPage.js";
import { HomePage } from "./routes/home/HomePage.js";
import { LockboxPage } from "./routes/lockbox/LockboxPage.js";
import { OrdersPage, type OrdersSearch, ordersSearch } from "./routes/orders/OrdersPage.js";
import { ComparePage } from "./routes/tariffs/ComparePage.js";
import { QuotePage } from "./routes/tariffs/QuotePage.js";
import { TariffBookPage } from "./routes/tariffs/TariffBookPage.js";
import { TariffPage } from "./routes/tariffs/TariffPage.js";

const rootRoute = createRootRoute({
  component: () => (
    <Shell>
      <Outlet />
    </Shell>
  ),
  notFoundComponent: NotFound,
});

const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: "/", component: HomePage });

const accountRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/accounts/$accountId",
  component: AccountPage,
  // ?section=collections opens the account with that section in view (from the collector's worklist).
  validateSearch: (search: Record<string, unknown>): { section?: "collections" } =>
    search.section === "collections" ? { section: "collections" } : {},
});

const newCustomerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/customers/new",
  component: NewCustomerPage,
});

const approvalsRoute = createRoute({ getParentRoute: () => rootRoute, path: "/approvals", component: ApprovalsPage });

const usersRoute = createRoute({ getParentRoute: () => rootRoute, path: "/admin/users", component: UsersPage });
const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/admin/settings",
  component: SettingsPage,
});

const batchesRoute = createRoute({ getParentRoute: () => rootRoute, path: "/batches", component: BatchesPage });
const batchRoute = createRoute({ getParentRoute: () => rootRoute, path: "/batches/$batchId", component: BatchPage });

const lockboxRoute = createRoute({ getParentRoute: () => rootRoute, path: "/lockbox", component: LockboxPage });

const billRunsRoute = createRoute({ getParentRoute: () => rootRoute, path: "/billing/runs", component: BillRunsPage });
const billExceptionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/billing/exceptions",
  component: BillExceptionsPage,
});

const worklistRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/collections",
  component: WorklistPage,
  validateSearch: (search: Record<string, unknown>): { step?: Step } =>
    typeof search.step === "string" && Object.hasOwn(STEP_WORDS, search.step) ? { step: search.step as Step } : {},
});
const heatRoute = createRoute({ getParentRoute: () => rootRoute, path: "/collections/heat", component: HeatPage });
const ordersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/orders",
  component: OrdersPage,
  validateSearch: (search: Record<string, unknown>): OrdersSearch => ordersSearch(search),
});

const drawersRoute = createRoute({ getParentRoute: () => rootRoute, path: "/drawers", component: DrawerPage });

const tariffsRoute = createRoute({ getParentRoute: () => rootRoute, path: "/tariffs", component: TariffBookPage });
const tariffQuoteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/tariffs/quote",
  component: QuotePage,
  validateSearch: (search: Record<string, unknown>): { tariff?: string } =>
    typeof search.tariff === "string" ? { tariff: search.tariff } : {},
});
const tariffCompareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/tariffs/compare",
  component: ComparePage,
});
const tariffRoute = createRoute({ getParentRoute: () => rootRoute, path: "/tariffs/$code", component: TariffPage });

/** The workstation's pages. Every page sits in the shell (header, search, palette) and needs a signed-in user. */
export const router = createRouter({
  routeTree: rootRoute.addChildren([
    homeRoute,
    accountRoute,
    newCustomerRoute,
    usersRoute,
    settingsRoute,
    drawersRoute,
    approvalsRoute,
    lockboxRoute,
    batchesRoute,
    batchRoute,
    billRunsRoute,
    billExceptionsRoute,
    worklistRoute,
    heatRoute,
    ordersRoute,
    tariffsRoute,
    tariffQuoteRoute,
    tariffCompareRoute,
    tariffRoute,
  ]),
  scrollRestoration: true,
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
