import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { respondOnce } from "../../platform/idempotency.js";
import { idParam } from "../parties/index.js";
import { refuseCardNumbers } from "../payments/index.js";
import { statusOf } from "./approval-requests.js";
import { accountApprovals, approvalQueue, approveRequest, pendingCount, rejectRequest } from "./approvals.js";
import {
  adjustmentInput,
  adjustmentListQuery,
  approvalQueueQuery,
  approveInput,
  refundInput,
  registerQuery,
  rejectInput,
} from "./inputs.js";
import { refundRegister, refundRegisterCsv } from "./refund-register.js";
import { accountRefunds, listRefundReasons, refundRoute, requestRefund } from "./refunds.js";
import { accountAdjustments, adjustmentRoute, listAdjustmentReasons, makeAdjustment } from "./service.js";

const tags = ["adjustments"];
const params = z.object({ id: idParam });
const read = { permission: "ledger.read" };

/** Adjustments, refunds of credit balances, the approval queue and the refund register. */
export async function adjustmentsRoutes(app: Http) {
  app.post(
    "/api/v1/accounts/:id/adjustments",
    {
      config: { access: { permission: "adjustments.make" }, idempotency: "required" },
      preValidation: refuseCardNumbers,
      schema: {
        tags,
        summary:
          "Make a charge or credit adjustment with a reason code (Idempotency-Key required): 201 with the adjustment; " +
          'a credit above your approval limit posts nothing and answers 202 {"status": "pending_approval", ' +
          '"approval_request": {...}}',
        params,
        body: adjustmentInput,
      },
    },
    async (request, reply) => {
      const route = await adjustmentRoute(request.ctx, request.body);
      return respondOnce(request, reply, statusOf(route), (tx) =>
        makeAdjustment(tx, request.params.id, request.body, route),
      );
    },
  );

  app.get(
    "/api/v1/accounts/:id/adjustments",
    {
      config: { access: read },
      schema: { tags, summary: "The account's adjustments, newest first", params, querystring: adjustmentListQuery },
    },
    async (request) => ({
      adjustments: await accountAdjustments(request.ctx, request.params.id, request.query.limit),
    }),
  );

  app.get(
    "/api/v1/adjustments/reasons",
    {
      config: { access: read },
      schema: { tags, summary: "The reason codes adjustments are made with, and the kinds each allows" },
    },
    async (request) => ({ reasons: await listAdjustmentReasons(request.ctx) }),
  );

  app.post(
    "/api/v1/accounts/:id/refunds",
    {
      config: { access: { permission: "refunds.request" }, idempotency: "required" },
      preValidation: refuseCardNumbers,
      schema: {
        tags: ["refunds"],
        summary:
          "Refund the account's credit balance by check (to the mailing address) or ACH (processor_token and " +
          "account_last4) (Idempotency-Key required): 201 with the posted refund; above your approval limit 202 " +
          '{"status": "pending_approval", "approval_request": {...}, "refund": {...}}; more than the credit balance ' +
          "422 refunds.exceeds_credit",
        params,
        body: refundInput,
      },
    },
    async (request, reply) => {
      const route = await refundRoute(request.ctx, request.body);
      return respondOnce(request, reply, statusOf(route), (tx) =>
        requestRefund(tx, request.params.id, request.body, route),
      );
    },
  );

  app.get(
    "/api/v1/accounts/:id/refunds",
    {
      config: { access: read },
      schema: {
        tags: ["refunds"],
        summary: "The account's refunds (posted, waiting for approval, rejected), newest first",
        params,
        querystring: adjustmentListQuery,
      },
    },
    async (request) => ({ refunds: await accountRefunds(request.ctx, request.params.id, request.query.limit) }),
  );

  app.get(
    "/api/v1/refunds/reasons",
    {
      config: { access: read },
      schema: { tags: ["refunds"], summary: "The reasons a credit balance is refunded for" },
    },
    async (request) => ({ reasons: await listRefundReasons(request.ctx) }),
  );

  app.get(
    "/api/v1/refunds/register.csv",
    {
      config: { access: { permission: "ledger.export" } },
      schema: {
        tags: ["refunds"],
        summary: "The refund register for accounts payable as CSV: one record per refund posted from..to (inclusive)",
        querystring: registerQuery,
      },
    },
    async (request, reply) => {
      const from = request.query.from ?? request.ctx.clock.today().toString();
      const to = request.query.to ?? from;
      const csv = refundRegisterCsv(await refundRegister(request.ctx, from, to));
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="refunds-${from}${to === from ? "" : `-${to}`}.csv"`)
        .send(csv);
    },
  );

  const approvals = { permission: "approvals.decide" };
  app.get(
    "/api/v1/approvals",
    {
      config: { access: approvals },
      schema: {
        tags: ["approvals"],
        summary:
          "The approval queue (status=pending by default): those your limit covers first, then those above it, then " +
          "your own; each with account number, customer name, amount, kind, summary, requester and age",
        querystring: approvalQueueQuery,
      },
    },
    async (request) => approvalQueue(request.ctx, request.query),
  );

  app.get(
    "/api/v1/approvals/count",
    {
      config: { access: approvals },
      schema: { tags: ["approvals"], summary: "How many requests are pending, and how many of them you may decide" },
    },
    async (request) => pendingCount(request.ctx),
  );

  app.get(
    "/api/v1/accounts/:id/approvals",
    {
      config: { access: read },
      schema: {
        tags: ["approvals"],
        summary: "The account's requests for approval (pending and decided), newest first",
        params,
        querystring: adjustmentListQuery,
      },
    },
    async (request) => ({ approvals: await accountApprovals(request.ctx, request.params.id, request.query.limit) }),
  );

  app.post(
    "/api/v1/approvals/:id/approve",
    {
      config: { access: approvals, idempotency: "required" },
      preValidation: refuseCardNumbers,
      schema: {
        tags: ["approvals"],
        summary:
          "Approve a pending request with the version read (Idempotency-Key required): posts the adjustment or refund " +
          "in the same transaction; 422 approvals.over_your_limit, approvals.own_request; 409 when decided or stale",
        params,
        body: approveInput,
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 200, (tx) => approveRequest(tx, request.params.id, request.body)),
  );

  app.post(
    "/api/v1/approvals/:id/reject",
    {
      config: { access: approvals, idempotency: "optional" },
      preValidation: refuseCardNumbers,
      schema: {
        tags: ["approvals"],
        summary: "Reject a pending request with the version read and a note saying why: nothing posts",
        params,
        body: rejectInput,
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 200, (tx) => rejectRequest(tx, request.params.id, request.body)),
  );
}
