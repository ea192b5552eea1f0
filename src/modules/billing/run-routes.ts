import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Http } from "../../platform/http.js";
import type { Jobs } from "../../platform/jobs.js";
import { idParam } from "../parties/index.js";
import { cancelBill, heldBills, rebillBill, releaseBill } from "./exceptions.js";
import { billRunView, listBillRuns, openRun } from "./run.js";
import { BILL_RUN_JOB, type BillRunJobData } from "./run-job.js";

const tags = ["billing"];
const runBody = z.strictObject({
  cycle: z
    .string()
    .regex(/^\d{1,2}$/, "a cycle number, 1 to 21")
    .transform((c) => c.padStart(2, "0")),
  bill_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD"),
});
const heldQuery = z.strictObject({
  reason: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const versioned = z.strictObject({ version: z.number().int().positive(), note: z.string().max(500).optional() });
const withReason = z.strictObject({ version: z.number().int().positive(), reason: z.string().trim().min(1).max(500) });
const billParams = z.object({ bill_id: idParam });
const runParams = z.object({ id: idParam });

/** Bill runs (start in the background, progress, list) and the bill exception queue with its corrections. */
export async function billRunRoutes(app: Http, jobs: Jobs) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    "/api/v1/bill-runs",
    {
      config: { access: { permission: "billing.run" } },
      schema: {
        tags,
        summary:
          "Start the bill run of a cycle for a bill date (202: it runs in the background; GET the run for its " +
          "progress). A run that stopped resumes; a cycle and date already billed is refused (422)",
        body: runBody,
      },
    },
    async (request, reply) => {
      // The run's row first (a refusal answers here), then its job: a worker bills it, in this process or another.
      const run = await openRun(request.ctx, request.body);
      await jobs.send<BillRunJobData>(BILL_RUN_JOB, { ...request.body, requested_by: request.ctx.actor.username });
      return reply.code(202).send(run);
    },
  );
  r.get(
    "/api/v1/bill-runs",
    {
      config: { access: { permission: "bills.read" } },
      schema: { tags, summary: "Recent bill runs, newest bill date first, with their counts" },
    },
    async (request) => ({ items: await listBillRuns(request.ctx) }),
  );
  r.get(
    "/api/v1/bill-runs/:id",
    {
      config: { access: { permission: "bills.read" } },
      schema: {
        tags,
        summary: "A bill run and its progress: accounts_total, billed, held, skipped, status",
        params: runParams,
      },
    },
    async (request) => billRunView(request.ctx, request.params.id),
  );
  r.get(
    "/api/v1/bill-exceptions",
    {
      config: { access: { permission: "billing.exceptions" } },
      schema: {
        tags,
        summary: "Held bills waiting for review, oldest first, with the reason and counts by reason",
        querystring: heldQuery,
      },
    },
    async (request) => heldBills(request.ctx, request.query),
  );
  r.post(
    "/api/v1/bills/:bill_id/release",
    {
      config: { access: { permission: "billing.exceptions" } },
      schema: {
        tags,
        summary: "Issue a held bill as it is (posted now, mailed and due from today)",
        params: billParams,
        body: versioned,
      },
    },
    async (request) => releaseBill(request.ctx, request.params.bill_id, request.body),
  );
  r.post(
    "/api/v1/bills/:bill_id/cancel",
    {
      config: { access: { permission: "billing.exceptions" } },
      schema: {
        tags,
        summary:
          "Cancel a bill: a held one is dropped, an issued one's entry reversed; its period is billed again next",
        params: billParams,
        body: withReason,
      },
    },
    async (request) => cancelBill(request.ctx, request.params.bill_id, request.body),
  );
  r.post(
    "/api/v1/bills/:bill_id/rebill",
    {
      config: { access: { permission: "billing.exceptions" } },
      schema: {
        tags,
        summary:
          "Cancel a bill and bill its account again for the same period from the reads as they are now (after a " +
          "corrected read): the new bill is issued and points at the one it replaces",
        params: billParams,
        body: withReason,
      },
    },
    async (request, reply) => reply.code(201).send(await rebillBill(request.ctx, request.params.bill_id, request.body)),
  );
}
