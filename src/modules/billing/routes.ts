import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { decimal, meterParams } from "../metering/index.js";
import { idParam, isoDate } from "../parties/index.js";
import { billPdf } from "./bill-pdf.js";
import { accountBills, billView } from "./bill-views.js";
import { cancelScheduledStop, stopService } from "./stop-service.js";

const tags = ["bills"];
const params = z.object({ id: idParam });
const read = { permission: "bills.read" };
const billsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(24),
  /** The `next_cursor` of the page before. */
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
});

const stopBody = z.strictObject({
  stop_on: isoDate,
  /** Final readings by meter (the customer's or the field's); a meter left out is estimated from its history. */
  reads: z
    .array(
      z.strictObject({
        meter_number: meterParams.shape.meter_number,
        reading: decimal,
        kind: z.enum(["actual", "customer"]).default("customer"),
      }),
    )
    .max(20)
    .optional(),
});

/**
 * Bills as they were made: an account's list, one bill with its lines, and the bill document (PDF); and stopping
 * service with its final bill.
 */
export async function billingRoutes(app: Http) {
  app.get(
    "/api/v1/accounts/:id/bills",
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          "The account's bills, newest first, held and cancelled ones too; `limit` a page (default 24), the next " +
          "older page is `before=<next_cursor>`",
        params,
        querystring: billsQuery,
      },
    },
    async (request) => accountBills(request.ctx, request.params.id, request.query),
  );

  app.get(
    "/api/v1/bills/:id",
    {
      config: { access: read },
      schema: {
        tags,
        summary: "A bill: dates, status, amounts, and per service agreement the meter, reads, usage and lines",
        params,
      },
    },
    async (request) => billView(request.ctx, request.params.id),
  );

  app.get(
    "/api/v1/bills/:id/pdf",
    {
      config: { access: read },
      schema: { tags, summary: "The bill document as the customer gets it, with the payment stub (PDF)", params },
    },
    async (request, reply) =>
      reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="bill-${request.params.id}.pdf"`)
        .send(await billPdf(request.ctx, request.params.id)),
  );

  app.post(
    "/api/v1/accounts/:id/stop-service",
    {
      config: { access: { permission: "service.write" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Stop service (move-out): the account's agreements end on `stop_on`. Today or up to 60 days back: the " +
          "final reads are keyed (or estimated for a meter left out), the final bill is made at once through the " +
          "stop date, and the account closes. Up to 90 days ahead: the stop is scheduled, and the morning after " +
          "that day makes the final bill (the read on file, else estimated) and closes the account",
        params,
        body: stopBody,
      },
    },
    async (request) => stopService(request.ctx, request.params.id, request.body),
  );

  app.delete(
    "/api/v1/accounts/:id/stop-service",
    {
      config: { access: { permission: "service.write" } },
      schema: {
        tags,
        summary: "Cancel a scheduled stop (the customer is staying): the active agreements' end dates are cleared",
        params,
      },
    },
    async (request) => cancelScheduledStop(request.ctx, request.params.id),
  );
}
