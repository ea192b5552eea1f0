import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { agencyFileContent, listAgencyFiles } from "./agency.js";
import { ampOf, enrolAmp, leaveAmp } from "./amp.js";
import { makeArrangement } from "./arrangements.js";
import { closeBankruptcy, recordBankruptcy } from "./bankruptcy.js";
import { runCollections } from "./daily.js";
import {
  closePledge,
  heatForecastsFrom,
  openDispute,
  putHeatForecasts,
  recordPledge,
  resolveDispute,
} from "./disputes.js";
import { noticePdf } from "./notice-pdf.js";
import { proofOfClaimPdf } from "./proof-of-claim.js";
import { restorationOf, restoreService } from "./restoration.js";
import { collectionsOf } from "./summary.js";
import { worklist } from "./worklist.js";

const tags = ["collections"];
const params = z.object({ account_id: idParam });
// A real calendar day: 2026-02-30 is refused here, not by the database.
const date = z.iso.date("a date YYYY-MM-DD");
// Whole cents as a JSON integer; the handler makes it a bigint (the request body itself stays JSON, for idempotency).
const cents = z.number().int("whole cents").min(0, "0 or more").max(99_999_999_999, "at most 99,999,999,999 cents");

const arrangementBody = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("arrangement"),
    down_payment_cents: cents.optional(),
    installments: z.number().int().min(1).max(120),
    first_due: date.optional(),
  }),
  z.strictObject({ kind: z.literal("extension"), pay_by: date }),
]);
const disputeBody = z.strictObject({
  reason: z.string().trim().min(1, "why the customer disputes").max(200),
  notes: z.string().max(2000).optional(),
  item_ids: z.array(z.number().int().positive()).max(200).optional(),
});
const resolveBody = z.strictObject({
  version: z.number().int().min(1),
  status: z.enum(["upheld", "denied", "withdrawn"]),
  resolution: z.string().trim().min(1, "what the investigation found").max(2000),
});
const pledgeBody = z.strictObject({
  agency: z.string().trim().min(1, "the agency that pledged").max(200),
  amount_cents: cents.min(1, "more than 0"),
  pledged_on: date,
  expires_on: date,
});
const forecastBody = z.strictObject({
  forecasts: z
    .array(
      z.strictObject({
        territory: z.string().trim().min(1).max(10),
        forecast_on: date,
        high_f: z.number().int().min(-60).max(140),
      }),
    )
    .min(1)
    .max(500),
});

/** Collections: the account's section, the worklist, arrangements, disputes, pledges, forecasts, the daily run. */
export async function collectionsRoutes(app: Http) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/accounts/:account_id/collections",
    {
      config: { access: { permission: "collections.read" } },
      schema: {
        tags,
        summary:
          "Where the account stands in collections: aging, the step and since when, the next step and its date, " +
          "what holds it (with the rule and sentence), notices sent, arrangements, disputes, assistance pledges " +
          "(newest first, at most 20) and orders",
        params,
      },
    },
    async (request) => collectionsOf(request.ctx, request.params.account_id),
  );
  r.get(
    "/api/v1/collections/worklist",
    {
      config: { access: { permission: "collections.read" } },
      schema: {
        tags,
        summary: "The collector's worklist: accounts in collections ranked by amount and risk",
        querystring: z.object({
          step: z.enum(["reminder", "notice", "final_notice", "disconnect_ordered", "disconnected"]).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
    },
    async (request) => worklist(request.ctx, request.query),
  );
  r.post(
    "/api/v1/accounts/:account_id/arrangements",
    {
      config: { access: { permission: "arrangements.make" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Make a payment arrangement (down payment and monthly installments) or an extension over what is past " +
          "due; refused with the rule named past the policy's months or days",
        params,
        body: arrangementBody,
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await makeArrangement(
          request.ctx,
          request.params.account_id,
          request.body.kind === "arrangement"
            ? {
                ...request.body,
                down_payment_cents:
                  request.body.down_payment_cents === undefined ? undefined : BigInt(request.body.down_payment_cents),
              }
            : request.body,
        ),
      ),
  );
  r.post(
    "/api/v1/accounts/:account_id/disputes",
    {
      config: { access: { permission: "disputes.open" }, idempotency: "optional" },
      schema: {
        tags,
        summary:
          "Open a dispute of the account or of some bill items: while open, the disputed items are not collected",
        params,
        body: disputeBody,
      },
    },
    async (request, reply) =>
      reply.code(201).send(await openDispute(request.ctx, request.params.account_id, request.body)),
  );
  r.post(
    "/api/v1/disputes/:dispute_id/resolve",
    {
      config: { access: { permission: "disputes.resolve" } },
      schema: {
        tags,
        summary: "Resolve a dispute: upheld, denied or withdrawn, with what the investigation found",
        params: z.object({ dispute_id: idParam }),
        body: resolveBody,
      },
    },
    async (request) => resolveDispute(request.ctx, request.params.dispute_id, request.body),
  );
  r.post(
    "/api/v1/accounts/:account_id/assistance-pledges",
    {
      config: { access: { permission: "collections.protect" }, idempotency: "optional" },
      schema: {
        tags,
        summary:
          "Record an agency's pending energy-assistance pledge (LIHEAP): it holds disconnection where policy says",
        params,
        body: pledgeBody,
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await recordPledge(request.ctx, request.params.account_id, {
          ...request.body,
          amount_cents: BigInt(request.body.amount_cents),
        }),
      ),
  );
  r.post(
    "/api/v1/assistance-pledges/:pledge_id/close",
    {
      config: { access: { permission: "collections.protect" } },
      schema: {
        tags,
        summary:
          "Close a pending pledge: received (the agency paid) or cancelled (withdrawn or denied); it no longer " +
          "holds collection",
        params: z.object({ pledge_id: idParam }),
        body: z.strictObject({ version: z.number().int().min(1), status: z.enum(["received", "cancelled"]) }),
      },
    },
    async (request) => closePledge(request.ctx, request.params.pledge_id, request.body),
  );
  r.put(
    "/api/v1/heat-forecasts",
    {
      config: { access: { permission: "collections.protect" } },
      schema: {
        tags,
        summary:
          "Key forecast highs by territory and day (the manual weather adapter): at or above the policy's threshold " +
          "within its window they hold disconnection where the profile says",
        body: forecastBody,
      },
    },
    async (request) => ({ forecasts: await putHeatForecasts(request.ctx, request.body.forecasts) }),
  );
  r.get(
    "/api/v1/heat-forecasts",
    {
      config: { access: { permission: "collections.read" } },
      schema: {
        tags,
        summary:
          "The forecast highs on file from a day on (today by default), with the policy's threshold and window and " +
          "whether the profile holds disconnection for heat",
        querystring: z.object({ from: date.optional() }),
      },
    },
    async (request) => heatForecastsFrom(request.ctx, request.query.from),
  );
  r.post(
    "/api/v1/collections/runs",
    {
      config: { access: { permission: "collections.run" } },
      schema: {
        tags,
        summary: "Run collections for a day now (the daily job runs it at 06:00); safe to run again the same day",
        body: z.strictObject({ date: date.optional() }),
      },
    },
    async (request) => runCollections(request.ctx, request.body),
  );
  r.get(
    "/api/v1/accounts/:account_id/restoration",
    {
      config: { access: { permission: "collections.read" } },
      schema: {
        tags,
        summary:
          "What restoring service after a disconnection for non-payment requires today (past due paid or arranged, " +
          "the reconnection fee, a deposit where policy allows), each met or not, with its sentence",
        params,
        querystring: z.object({ same_day: z.enum(["true", "false"]).optional() }),
      },
    },
    async (request) =>
      restorationOf(request.ctx, request.params.account_id, { same_day: request.query.same_day === "true" }),
  );
  r.post(
    "/api/v1/accounts/:account_id/restoration",
    {
      config: { access: { permission: "service.restore" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Restore service: bills the reconnection fee and deposit that are due, and opens the reconnect order once " +
          "every requirement is met; refused (422, the rule named) while the past-due amount is neither paid nor arranged",
        params,
        body: z.strictObject({ same_day: z.boolean().optional() }),
      },
    },
    async (request) => restoreService(request.ctx, request.params.account_id, request.body),
  );
  r.post(
    "/api/v1/accounts/:account_id/bankruptcies",
    {
      config: { access: { permission: "bankruptcies.manage" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Record a customer's bankruptcy case: the open debt split at the petition date (pre-petition stayed, " +
          "post-petition collectible) and adequate assurance requested; a petition date after today is refused",
        params,
        body: z.strictObject({
          chapter: z.union([z.literal(7), z.literal(11), z.literal(13)]),
          court: z.string().trim().min(1, "the bankruptcy court").max(200),
          case_number: z.string().trim().min(1, "the court's case number").max(60),
          petition_date: date,
        }),
      },
    },
    async (request, reply) =>
      reply.code(201).send(await recordBankruptcy(request.ctx, request.params.account_id, request.body)),
  );
  r.post(
    "/api/v1/bankruptcies/:bankruptcy_id/close",
    {
      config: { access: { permission: "bankruptcies.manage" }, idempotency: "required" },
      schema: {
        tags,
        summary: "Close a case: discharged (the pre-petition debt written off) or dismissed (collection resumes)",
        params: z.object({ bankruptcy_id: idParam }),
        body: z.strictObject({ version: z.number().int().min(1), outcome: z.enum(["discharged", "dismissed"]) }),
      },
    },
    async (request) => closeBankruptcy(request.ctx, request.params.bankruptcy_id, request.body),
  );
  r.get(
    "/api/v1/bankruptcies/:bankruptcy_id/proof-of-claim",
    {
      config: { access: { permission: "bankruptcies.manage" } },
      schema: {
        tags,
        summary: "The proof of claim for the case (the information of Official Form 410), signed by the requester",
        params: z.object({ bankruptcy_id: idParam }),
      },
    },
    async (request, reply) => {
      const pdf = await proofOfClaimPdf(request.ctx, request.params.bankruptcy_id);
      return reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="proof-of-claim-${request.params.bankruptcy_id}.pdf"`)
        .send(pdf);
    },
  );
  r.get(
    "/api/v1/accounts/:account_id/amp",
    {
      config: { access: { permission: "collections.read" } },
      schema: {
        tags,
        summary: "Arrearage management: whether the account may enrol today and why, and its plans",
        params,
      },
    },
    async (request) => ampOf(request.ctx, request.params.account_id),
  );
  r.post(
    "/api/v1/accounts/:account_id/amp",
    {
      config: { access: { permission: "arrangements.make" }, idempotency: "required" },
      schema: {
        tags,
        summary: "Enrol the account's arrears in arrearage management (refused with the rule when not eligible)",
        params,
        body: z.strictObject({}).optional(),
      },
    },
    async (request, reply) => reply.code(201).send(await enrolAmp(request.ctx, request.params.account_id)),
  );
  r.post(
    "/api/v1/amp-plans/:plan_id/leave",
    {
      config: { access: { permission: "arrangements.make" } },
      schema: {
        tags,
        summary: "End an AMP plan at the customer's request: what is not forgiven returns to collection",
        params: z.object({ plan_id: idParam }),
        body: z.strictObject({ version: z.number().int().min(1) }),
      },
    },
    async (request) => leaveAmp(request.ctx, request.params.plan_id, request.body),
  );
  r.get(
    "/api/v1/collections/agency-files",
    {
      config: { access: { permission: "collections.read" } },
      schema: { tags, summary: "The placement files sent to the collection agency, newest first" },
    },
    async (request) => ({ files: await listAgencyFiles(request.ctx) }),
  );
  r.get(
    "/api/v1/collections/agency-files/:file_id",
    {
      config: { access: { permission: "collections.read" } },
      schema: {
        tags,
        summary: "A placement file as it was sent, in the agency's layout",
        params: z.object({ file_id: idParam }),
      },
    },
    async (request, reply) => {
      const f = await agencyFileContent(request.ctx, request.params.file_id);
      return reply
        .type(f.format === "csv" ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8")
        .header("content-disposition", `attachment; filename="${f.name}"`)
        .send(f.content);
    },
  );
  r.get(
    "/api/v1/collection-notices/:notice_id/pdf",
    {
      config: { access: { permission: "collections.read" } },
      schema: {
        tags,
        summary: "A notice sent to the customer, as the letter",
        params: z.object({ notice_id: idParam }),
      },
    },
    async (request, reply) => {
      const pdf = await noticePdf(request.ctx, request.params.notice_id);
      return reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="notice-${request.params.notice_id}.pdf"`)
        .send(pdf);
    },
  );
}
