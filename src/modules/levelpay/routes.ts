import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { endLevelPay, enrolLevelPay } from "./enrol.js";
import { levelPayOf } from "./summary.js";

const tags = ["level pay"];
const params = z.object({ account_id: idParam });

/** Level pay (budget billing): the account's plan and policy's decision, enrolling, and leaving. */
export async function levelPayRoutes(app: Http) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/accounts/:account_id/level-pay",
    {
      config: { access: { permission: "accounts.read" } },
      schema: {
        tags,
        summary:
          "The account's level pay: the plan (level amount, deferred balance, next review and true-up), its events " +
          "with their sentences, and policy's decision on enrolling today (the amount, or the rule that refuses)",
        params,
      },
    },
    async (request) => levelPayOf(request.ctx, request.params.account_id),
  );
  r.post(
    "/api/v1/accounts/:account_id/level-pay",
    {
      config: { access: { permission: "levelpay.manage" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Enrol the account in level pay at the amount policy gives (the average of the last months' bills, rounded " +
          "up to the dollar); refused (422, the rule named) when enrolled already, past due, closed or without bills",
        params,
        body: z.strictObject({}).optional(),
      },
    },
    async (request, reply) => reply.code(201).send(await enrolLevelPay(request.ctx, request.params.account_id)),
  );
  r.post(
    "/api/v1/accounts/:account_id/level-pay/end",
    {
      config: { access: { permission: "levelpay.manage" }, idempotency: "required" },
      schema: {
        tags,
        summary:
          "End the account's level pay at the customer's request: the deferred balance is billed (or credited) now; " +
          "`version` is the plan's as read",
        params,
        body: z.strictObject({
          version: z.number().int().min(1),
          reason: z.string().trim().min(1, "why the plan ends").max(200),
        }),
      },
    },
    async (request) => endLevelPay(request.ctx, request.params.account_id, request.body),
  );
}
