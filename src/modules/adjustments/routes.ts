import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { respondOnce } from "../../platform/idempotency.js";
import { idParam } from "../parties/index.js";
import { refuseCardNumbers } from "../payments/index.js";
import { adjustmentInput, adjustmentListQuery } from "./inputs.js";
import { accountAdjustments, listAdjustmentReasons, makeAdjustment } from "./service.js";

const tags = ["adjustments"];
const params = z.object({ id: idParam });

/** Charge and credit adjustments on an account, with reason codes. */
export async function adjustmentsRoutes(app: Http) {
  app.post(
    "/api/v1/accounts/:id/adjustments",
    {
      config: { access: { permission: "adjustments.make" }, idempotency: "required" },
      preValidation: refuseCardNumbers,
      schema: {
        tags,
        summary:
          "Make a charge or credit adjustment with a reason code (Idempotency-Key required); a credit above your " +
          "role's limit is refused (422 adjustments.over_limit)",
        params,
        body: adjustmentInput,
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 201, (tx) => makeAdjustment(tx, request.params.id, request.body)),
  );

  app.get(
    "/api/v1/accounts/:id/adjustments",
    {
      config: { access: { permission: "ledger.read" } },
      schema: { tags, summary: "The account's adjustments, newest first", params, querystring: adjustmentListQuery },
    },
    async (request) => ({
      adjustments: await accountAdjustments(request.ctx, request.params.id, request.query.limit),
    }),
  );

  app.get(
    "/api/v1/adjustments/reasons",
    {
      config: { access: { permission: "ledger.read" } },
      schema: { tags, summary: "The reason codes adjustments are made with, and the kinds each allows" },
    },
    async (request) => ({ reasons: await listAdjustmentReasons(request.ctx) }),
  );
}
