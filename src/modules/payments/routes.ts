import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { respondOnce } from "../../platform/idempotency.js";
import { idParam } from "../parties/index.js";
import { refuseCardNumbers } from "./card-numbers.js";
import { reversePayment, transferPayment } from "./corrections.js";
import { historyQuery, paymentInput, REVERSAL_REASONS, reversalInput, transferInput } from "./inputs.js";
import { paymentReceipt } from "./receipt.js";
import { takePayment } from "./service.js";
import { accountPayments, paymentView } from "./views.js";

const tags = ["payments"];
const params = z.object({ id: idParam });
const read = { permission: "ledger.read" };

/** Payments: take, look up, receipt, history, transfer to another account, reverse. */
export async function paymentsRoutes(app: Http) {
  app.post(
    "/api/v1/payments",
    {
      config: { access: { permission: "payments.take" }, idempotency: "required" },
      preValidation: refuseCardNumbers,
      schema: {
        tags,
        summary:
          "Take a payment (Idempotency-Key required): simple form {account_id, amount_cents, tender} or general form " +
          "{tenders: [...with amount_cents], distribution: [{account_id, amount_cents, item_ids?}]}; 201 with the payment",
        body: paymentInput,
      },
    },
    async (request, reply) => respondOnce(request, reply, 201, (tx) => takePayment(tx, request.body)),
  );

  app.get(
    "/api/v1/payments/reversal-reasons",
    { config: { access: read }, schema: { tags, summary: "The reasons a payment may be reversed for" } },
    async () => ({
      reasons: Object.entries(REVERSAL_REASONS).map(([code, r]) => ({ code, label: r.label, returned: r.returned })),
    }),
  );

  app.get(
    "/api/v1/payments/:id",
    {
      config: { access: read },
      schema: { tags, summary: "A payment: tenders, distribution, transfers, reversal", params },
    },
    async (request) => paymentView(request.ctx, request.params.id),
  );

  app.get(
    "/api/v1/payments/:id/receipt.pdf",
    { config: { access: read }, schema: { tags, summary: "The payment's receipt, as a PDF", params } },
    async (request, reply) => {
      const pdf = await paymentReceipt(request.ctx, request.params.id);
      return reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="receipt-${request.params.id}.pdf"`)
        .send(pdf);
    },
  );

  app.get(
    "/api/v1/accounts/:id/payments",
    {
      config: { access: read },
      schema: {
        tags,
        summary: "The account's payment history, newest first (`before=<next_cursor>` for the next page)",
        params,
        querystring: historyQuery,
      },
    },
    async (request) => accountPayments(request.ctx, request.params.id, request.query),
  );

  app.post(
    "/api/v1/payments/:id/reversal",
    {
      config: { access: { permission: "payments.reverse" }, idempotency: "required" },
      preValidation: refuseCardNumbers,
      schema: {
        tags,
        summary:
          "Reverse a payment with a reason; a returned one (returned_check, nsf, ach_return) adds the returned-payment " +
          "fee and counts toward cash-only status",
        params,
        body: reversalInput,
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 201, (tx) => reversePayment(tx, request.params.id, request.body)),
  );

  app.post(
    "/api/v1/payments/:id/transfer",
    {
      config: { access: { permission: "payments.transfer" }, idempotency: "required" },
      preValidation: refuseCardNumbers,
      schema: {
        tags,
        summary: "Move all or part of a payment from one account to another (posted to the wrong account)",
        params,
        body: transferInput,
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 201, (tx) => transferPayment(tx, request.params.id, request.body)),
  );
}
