import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { completeOrder, getOrder, listOrders, ORDER_KINDS } from "./service.js";

const tags = ["orders"];

/** Service orders: the field worklist, one order, completion from the field. */
export async function ordersRoutes(app: Http) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/api/v1/service-orders",
    {
      config: { access: { permission: "orders.read" } },
      schema: {
        tags,
        summary: "Service orders: open ones by due date (the field worklist), or an account's orders",
        querystring: z.object({
          status: z.enum(["open", "completed", "cancelled"]).optional(),
          kind: z.enum(ORDER_KINDS).optional(),
          account_id: idParam.optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
    },
    async (request) => ({ orders: await listOrders(request.ctx, request.query) }),
  );
  r.get(
    "/api/v1/service-orders/:order_id",
    {
      config: { access: { permission: "orders.read" } },
      schema: { tags, summary: "One service order", params: z.object({ order_id: idParam }) },
    },
    async (request) => getOrder(request.ctx, request.params.order_id),
  );
  r.post(
    "/api/v1/service-orders/:order_id/complete",
    {
      config: { access: { permission: "orders.complete" } },
      schema: {
        tags,
        summary: "Complete an open order from the field: the day done, the meter read and notes",
        params: z.object({ order_id: idParam }),
        body: z.strictObject({
          version: z.number().int().min(1),
          completed_on: z.iso.date("a date YYYY-MM-DD").optional(),
          read: z
            .string()
            .trim()
            .regex(/^\d{1,9}(\.\d{1,3})?$/, "the register's reading, e.g. 48213")
            .optional(),
          notes: z.string().max(2000).optional(),
        }),
      },
    },
    async (request) => completeOrder(request.ctx, request.params.order_id, request.body),
  );
}
