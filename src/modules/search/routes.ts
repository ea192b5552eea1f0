import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { search } from "./service.js";

const resultSchema = z.object({
  account_id: z.number(),
  account_number: z.string(),
  name: z.string(),
  service_address: z.string().nullable(),
});

/** GET /api/v1/search: find accounts by what a caller tells a CSR. */
export async function searchRoutes(app: Http) {
  app.get(
    "/api/v1/search",
    {
      config: { access: { permission: "search.use" } },
      schema: {
        tags: ["search"],
        summary: "Find accounts by name, account number, phone, email, address, meter number or identity last four",
        description:
          "Typo-tolerant, best first, one result per account. `service_address` is the premise of the account's " +
          "earliest active service agreement, else the mailing address.",
        querystring: z.object({
          q: z.string().trim().min(1, "say what to search for").max(200),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ results: z.array(resultSchema) }) },
      },
    },
    async (request) => {
      const { q, limit } = request.query as { q: string; limit: number };
      return { results: await search(request.ctx, q, limit) };
    },
  );
}
