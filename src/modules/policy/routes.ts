import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { type DecisionSource, explainPolicy } from "./decisions.js";
import { PROFILES } from "./rules.js";

const params = z.object({ account_id: idParam });
const query = z.strictObject({
  date: z.string().optional(),
  /** What the other profile would decide (training, and a utility weighing a change). */
  profile: z.enum(PROFILES).optional(),
});

/** Policy explain: every decision policy makes for the account, with its rule, facts and sentence. */
export async function policyRoutes(app: Http, sources: DecisionSource[]) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/accounts/:account_id/policy",
    {
      config: { access: { permission: "accounts.read" } },
      schema: {
        tags: ["policy"],
        summary:
          "Every decision policy makes for the account on a date (today unless ?date=), computed afresh: rule_id, " +
          "facts and the explanation the CSR reads; ?profile= shows what another profile would decide",
        params,
        querystring: query,
      },
    },
    async (request) =>
      explainPolicy(request.ctx, { id: request.params.account_id }, sources, {
        date: request.query.date,
        profile: request.query.profile,
      }),
  );
}
