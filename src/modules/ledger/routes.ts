import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { listGlAccounts } from "./chart.js";
import { itemsQuery, ledgerQuery } from "./inputs.js";
import { accountBalances, accountItems, accountLedger } from "./queries.js";

const tags = ["ledger"];
const params = z.object({ id: idParam });
const access = { permission: "ledger.read" };

/** Read-only views of an account's receivables and of the chart of GL accounts. */
export async function ledgerRoutes(app: Http) {
  app.get(
    "/api/v1/accounts/:id/balances",
    {
      config: { access },
      schema: {
        tags,
        summary: "Balance, amount due, past due and aging of the account, as of today's business date",
        params,
      },
    },
    async (request) => accountBalances(request.ctx, request.params.id),
  );

  app.get(
    "/api/v1/accounts/:id/items",
    {
      config: { access },
      schema: {
        tags,
        summary: "The account's receivable items and credits, each with its clearings (status=open for open ones)",
        params,
        querystring: itemsQuery,
      },
    },
    async (request) => accountItems(request.ctx, request.params.id, { status: request.query.status }),
  );

  app.get(
    "/api/v1/accounts/:id/ledger",
    {
      config: { access },
      schema: {
        tags,
        summary: "The account's receivable and unapplied postings with the running balance (the latest `limit`)",
        params,
        querystring: ledgerQuery,
      },
    },
    async (request) => accountLedger(request.ctx, request.params.id, request.query.limit),
  );

  app.get(
    "/api/v1/ledger/gl-accounts",
    { config: { access }, schema: { tags, summary: "The chart of GL accounts" } },
    async (request) => ({ gl_accounts: await listGlAccounts(request.ctx) }),
  );
}
