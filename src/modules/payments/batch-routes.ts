import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { respondOnce } from "../../platform/idempotency.js";
import { idParam } from "../parties/index.js";
import { batchInput, batchListQuery, batchRowChange, batchRowInput, batchVersionQuery } from "./batch-inputs.js";
import { batchView, listBatches } from "./batch-views.js";
import { addBatchRow, cancelBatch, createBatch, deleteBatchRow, editBatchRow, postBatch } from "./batches.js";

const tags = ["payment batches"];
const access = { permission: "batches.key" };
const params = z.object({ id: idParam });
const rowParams = z.object({ id: idParam, position: z.coerce.number().int().positive().max(1_000_000) });
/** Post and cancel may send the batch's version read, so what posts is what the clerk saw. */
const versionBody = z.strictObject({ version: z.number().int().positive().optional() }).nullish();

/** Payment batches keyed on the 10-key pad: control count and total, rows, and posting when they balance. */
export async function paymentBatchRoutes(app: Http) {
  app.post(
    "/api/v1/payment-batches",
    {
      config: { access, idempotency: "optional" },
      schema: {
        tags,
        summary: "Open a batch with the adding-machine tape's control count and total (and the tender of its rows)",
        body: batchInput,
      },
    },
    async (request, reply) => reply.code(201).send(await createBatch(request.ctx, request.body)),
  );

  app.get(
    "/api/v1/payment-batches",
    {
      config: { access },
      schema: {
        tags,
        summary: "Batches, newest first: by status, or without one the open batches and today's posted or cancelled",
        querystring: batchListQuery,
      },
    },
    async (request) => listBatches(request.ctx, request.query),
  );

  app.get(
    "/api/v1/payment-batches/:id",
    {
      config: { access },
      schema: { tags, summary: "A batch: its rows, what is keyed and the differences to the control", params },
    },
    async (request) => batchView(request.ctx, request.params.id),
  );

  app.post(
    "/api/v1/payment-batches/:id/rows",
    {
      config: { access, idempotency: "optional" },
      schema: {
        tags,
        summary: "Key a row (account number with its check digit, amount): 201 with the batch",
        params,
        body: batchRowInput,
      },
    },
    async (request, reply) => reply.code(201).send(await addBatchRow(request.ctx, request.params.id, request.body)),
  );

  app.put(
    "/api/v1/payment-batches/:id/rows/:position",
    {
      config: { access },
      schema: {
        tags,
        summary: "Correct a keyed row, with the batch's version read; answers the batch",
        params: rowParams,
        body: batchRowChange,
      },
    },
    async (request) => editBatchRow(request.ctx, request.params.id, request.params.position, request.body),
  );

  app.delete(
    "/api/v1/payment-batches/:id/rows/:position",
    {
      config: { access },
      schema: {
        tags,
        summary: "Remove a keyed row (`version` = the batch's version read); the rows after it move up",
        params: rowParams,
        querystring: batchVersionQuery,
      },
    },
    async (request) => deleteBatchRow(request.ctx, request.params.id, request.params.position, request.query.version),
  );

  app.post(
    "/api/v1/payment-batches/:id/post",
    {
      config: { access, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Post a balanced batch (Idempotency-Key required): every row a mail payment, all in one transaction; " +
          "refused (422 batches.out_of_balance) unless the keyed count and total equal the control",
        params,
        body: versionBody,
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 200, (tx) => postBatch(tx, request.params.id, request.body?.version)),
  );

  app.post(
    "/api/v1/payment-batches/:id/cancel",
    {
      config: { access },
      schema: { tags, summary: "Cancel an open batch: nothing posts", params, body: versionBody },
    },
    async (request) => cancelBatch(request.ctx, request.params.id, request.body?.version),
  );
}
