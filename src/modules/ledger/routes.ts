import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { listGlAccounts } from "./chart.js";
import { glSummary, glSummaryCsv } from "./gl-summary.js";
import { itemsQuery, ledgerQuery } from "./inputs.js";
import { accountBalances, accountItems, accountLedger } from "./queries.js";

const tags = ["ledger"];
const params = z.object({ id: idParam });
const access = { permission: "ledger.read" };
const exportAccess = { permission: "ledger.export" };
const rangeQuery = z.object({
  /** The first business date; today's when left out. */
  from: z.iso.date().optional(),
  /** The last business date (inclusive); the same as from when left out. */
  to: z.iso.date().optional(),
});

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

  app.get(
    "/api/v1/ledger/gl-summary",
    {
      config: { access: exportAccess },
      schema: {
        tags,
        summary: "The daily GL summary: per business date and GL account, debits, credits and net (from..to inclusive)",
        querystring: rangeQuery,
      },
    },
    async (request) => {
      const from = request.query.from ?? request.ctx.clock.today().toString();
      return glSummary(request.ctx, from, request.query.to ?? from);
    },
  );

  app.get(
    "/api/v1/ledger/gl-summary.csv",
    {
      config: { access: exportAccess },
      schema: { tags, summary: "The daily GL summary as CSV for the ERP", querystring: rangeQuery },
    },
    async (request, reply) => {
      const from = request.query.from ?? request.ctx.clock.today().toString();
      const to = request.query.to ?? from;
      const csv = glSummaryCsv(await glSummary(request.ctx, from, to));
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="gl-summary-${from}${to === from ? "" : `-${to}`}.csv"`)
        .send(csv);
    },
  );
}
