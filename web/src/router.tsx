import { createRootRoute, createRoute, createRouter, Outlet } from "@tanstack/react-router";
import { NotFound } from "./components/Messages.js";
import { Shell } from "./components/Shell.js";
import { AccountPage } from "./routes/account/AccountPage.js";
import { UsersPage } from "./routes/admin/UsersPage.js";
import { NewCustomerPage } from "./routes/customers/NewCustomerPage.js";
import { HomePage } from "./routes/home/HomePage.js";

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

const usersRoute = createRoute({ getParentRoute: () => rootRoute, path: "/admin/users", component: UsersPage });

/** The workstation's pages. Every page sits in the shell (header, search, palette) and needs a signed-in user. */
export const router = createRouter({
  routeTree: rootRoute.addChildren([homeRoute, accountRoute, newCustomerRoute, usersRoute]),
  scrollRestoration: true,
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
