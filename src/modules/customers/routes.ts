import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { accountActivity } from "./activity.js";
import { newCustomerInput, openNewCustomer } from "./new-customer.js";
import { partyAccounts } from "./party-accounts.js";
import { accountHistory, accountView } from "./view.js";

const params = z.object({ id: idParam });
const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

const activityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

/** The customer as a CSR works with it: account view, audit history, a customer's accounts, new-customer flow. */
export async function customersRoutes(app: Http) {
  app.get(
    "/api/v1/accounts/:id",
    {
      config: { access: { permission: "accounts.read" } },
      schema: {
        tags: ["accounts"],
        summary:
          "The account view: customer (identity masked), service agreements with premise and meter, enrolments, recent contacts",
        params,
      },
    },
    async (request) => accountView(request.ctx, request.params.id),
  );

  app.get(
    "/api/v1/accounts/:id/audit",
    {
      config: { access: { permission: "audit.read" } },
      schema: {
        tags: ["accounts"],
        summary:
          "The account's audit history, newest first, `limit` rows a page (default 100); the next older page is " +
          "`before=<next_cursor>`, and `next_cursor` is null on the last page",
        params,
        querystring: historyQuery,
      },
    },
    async (request) => accountHistory(request.ctx, request.params.id, request.query),
  );

  app.get(
    "/api/v1/accounts/:id/activity",
    {
      config: { access: { permission: "accounts.read" } },
      schema: {
        tags: ["accounts"],
        summary:
          "The account's activity timeline, newest first, in plain words: contacts, payments, reversals, transfers, " +
          "adjustments, service started and stopped, enrolments, account and customer changes; `limit` events a " +
          "page (default 50), the next older page is `before=<next_cursor>`; events the caller may not read are left out",
        params,
        querystring: activityQuery,
      },
    },
    async (request) => accountActivity(request.ctx, request.params.id, request.query),
  );

  app.get(
    "/api/v1/parties/:id/accounts",
    {
      config: { access: { permission: "accounts.read" } },
      schema: {
        tags: ["customers"],
        summary:
          "The accounts a customer is on, open ones first: number, status, class, the customer's role (main or " +
          "co_applicant) and the service address as search shows it",
        params,
      },
    },
    async (request) => ({ accounts: await partyAccounts(request.ctx, request.params.id) }),
  );

  app.post(
    "/api/v1/customers",
    {
      config: { access: { permission: "customers.write" }, idempotency: "optional" },
      schema: {
        tags: ["customers"],
        summary:
          "A new customer in one transaction: party, account and optionally premise, service point, meter and service agreement",
        body: newCustomerInput,
      },
    },
    async (request, reply) => reply.code(201).send(await openNewCustomer(request.ctx, request.body)),
  );
}
