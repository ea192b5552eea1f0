import { createRootRoute, createRoute, createRouter, Outlet } from "@tanstack/react-router";
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
import { NewCustomerPage } from "./routes/customers/NewCustomerPage.js";
import { DrawerPage } from "./routes/drawers/DrawerPage.js";
import { HomePage } from "./routes/home/HomePage.js";
import { LockboxPage } from "./routes/lockbox/LockboxPage.js";
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
