import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { explainBill } from "./explain.js";
import { compareAccountRates } from "./history-compare.js";
import { accountUsage } from "./usage.js";

const tags = ["bills"];
const params = z.object({ id: idParam });
const read = { permission: "bills.read" };

/** What the account view asks about bills: why a bill is what it is, the usage chart, and the rate comparison. */
export async function billInsightRoutes(app: Http) {
  app.get(
    "/api/v1/bills/:id/explanation",
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          "Why the bill is what it is, against the account's previous issued bill and the one for the same period " +
          "a year before: a headline and reasons in sentences to read out (days, usage, prices and rate changes, " +
          "seasons, estimates, one-time credits, balance carried), each with its figures",
        params,
      },
    },
    async (request) => explainBill(request.ctx, request.params.id),
  );

  app.get(
    "/api/v1/accounts/:id/usage",
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          "The account's billed kWh for 24 months (by the month each billed period ended) and, for interval " +
          "meters, the kWh of each of the last 60 days with interval data",
        params,
      },
    },
    async (request) => accountUsage(request.ctx, request.params.id),
  );

  app.get(
    "/api/v1/accounts/:id/rate-comparison",
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          "The account's last 12 months of billed usage priced on every tariff of its sector with its baseline " +
          "territory and programs, cheapest first: the current tariff marked, the saving a year against it",
        params,
      },
    },
    async (request) => compareAccountRates(request.ctx, request.params.id),
  );
}
