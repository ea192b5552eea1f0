import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { DEPOSIT_REASONS } from "./deposit-decision.js";
import { recordLetter, requireDeposit, runCreditCheck } from "./deposits.js";
import { creditSummary } from "./summary.js";

const tags = ["credit"];
const params = z.object({ account_id: idParam });
const depositBody = z.strictObject({
  reason: z.enum(DEPOSIT_REASONS),
  installments: z.number().int().min(1).max(12).optional(),
  /** Bankruptcy assurance: the chapter filed (11 allows 30 days to pay; 7 and 13, 20). */
  chapter: z.union([z.literal(7), z.literal(11), z.literal(13)]).optional(),
});
const letterBody = z.strictObject({
  issuer: z.string().trim().min(1, "the utility that wrote the letter").max(200),
  months_of_service: z.number().int().min(0).max(600),
  late_payments: z.number().int().min(0).max(600),
  disconnections: z.number().int().min(0).max(600),
  issued_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD"),
  note: z.string().max(500).optional(),
});

/** Credit and deposits: the account's credit section, deposits by policy, letters of credit, external checks. */
export async function creditRoutes(app: Http) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/accounts/:account_id/credit",
    {
      config: { access: { permission: "accounts.read" } },
      schema: {
        tags,
        summary:
          "The customer's credit score with its reasons, policy's decisions (with rule, facts and sentence), the " +
          "account's deposits (held, due, refundable), letters of credit and external checks",
        params,
      },
    },
    async (request) => creditSummary(request.ctx, request.params.account_id),
  );
  r.post(
    "/api/v1/accounts/:account_id/deposits",
    {
      config: { access: { permission: "deposits.manage" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Require a deposit for a reason: policy decides and sets the amount (refused, 422 with the rule, when the " +
          "profile forbids the reason or the customer's credit needs none); billed at once or in installments",
        params,
        body: depositBody,
      },
    },
    async (request, reply) =>
      reply.code(201).send(await requireDeposit(request.ctx, request.params.account_id, request.body)),
  );
  r.post(
    "/api/v1/accounts/:account_id/letters-of-credit",
    {
      config: { access: { permission: "deposits.manage" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Record a letter of credit from another utility; when it shows what policy asks it waives the account's " +
          "deposits to start or restore service (their installments reversed), and says so",
        params,
        body: letterBody,
      },
    },
    async (request, reply) =>
      reply.code(201).send(await recordLetter(request.ctx, request.params.account_id, request.body)),
  );
  r.post(
    "/api/v1/accounts/:account_id/credit-checks",
    {
      config: { access: { permission: "credit.check" }, idempotency: "optional" },
      schema: {
        tags,
        summary:
          "Run an external credit check on the account's customer (the configured bureau; the sandbox by default)",
        params,
      },
    },
    async (request, reply) => reply.code(201).send(await runCreditCheck(request.ctx, request.params.account_id)),
  );
}
