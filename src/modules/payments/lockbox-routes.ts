import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { badRequest } from "../../platform/errors.js";
import type { Http } from "../../platform/http.js";
import { respondOnce } from "../../platform/idempotency.js";
import { idParam } from "../parties/index.js";
import { listLockboxFiles, lockboxFileView } from "./lockbox/views.js";
import { startLockboxImport } from "./lockbox-upload.js";
import {
  applyInput,
  applySuspenseItem,
  returnInput,
  returnSuspenseItem,
  suspenseItem,
  suspenseQuery,
  suspenseQueue,
} from "./suspense.js";

const tags = ["lockbox"];
const access = { permission: "lockbox.import" };
/** The largest lockbox file taken in one upload (a day's file of a large utility is a few MB). */
export const LOCKBOX_UPLOAD_LIMIT = 50 * 1024 * 1024;
/** The upload's content types: the file's bytes as they are, not a form. */
const RAW_TYPES = ["text/csv", "application/octet-stream", "text/plain"];

const uploadQuery = z.strictObject({
  file_name: z.string().trim().min(1).max(200),
  format: z.enum(["csv", "bai2"]).optional(),
});
const filesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.coerce.number().int().positive().optional(),
  status: z.enum(["importing", "imported"]).optional(),
});
const fileParams = z.object({ id: idParam });
const itemParams = z.object({ item_id: idParam });

/** Lockbox files (upload with a background import, progress, list) and the payment suspense queue. */
export async function lockboxRoutes(app: Http) {
  await app.register(async (scoped) => {
    const r = scoped.withTypeProvider<ZodTypeProvider>();
    // Only here: the upload's body is the file's bytes. Every other route keeps JSON and the app's 1 MB limit.
    r.addContentTypeParser(RAW_TYPES, { parseAs: "buffer", bodyLimit: LOCKBOX_UPLOAD_LIMIT }, (_req, body, done) =>
      done(null, body),
    );

    r.post(
      "/api/v1/lockbox/files",
      {
        config: { access },
        bodyLimit: LOCKBOX_UPLOAD_LIMIT,
        schema: {
          tags,
          summary:
            "Upload a lockbox file (CSV or BAI2) as the raw body (Content-Type text/csv, text/plain or " +
            "application/octet-stream, ?file_name=): a malformed file is refused whole (400, each problem with its " +
            "line in errors[]); a valid one answers 202 and imports in the background (GET the file for its " +
            "progress); a file already imported answers 200 and posts nothing",
          querystring: uploadQuery,
        },
      },
      async (request, reply) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw badRequest("send the lockbox file's bytes as the request body", [
            { field: "body", message: "empty: the file's bytes are the body" },
          ]);
        }
        const { file_name, format } = request.query;
        const start = await startLockboxImport(request.ctx, request.log, {
          fileName: file_name,
          bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
          format,
        });
        const file = await lockboxFileView(request.ctx, start.fileId);
        if (start.kind === "already_imported") {
          return reply
            .code(200)
            .send({ file_id: file.id, status: file.status, message: "already imported, nothing posted", file });
        }
        return reply.code(202).send({
          file_id: file.id,
          status: file.status,
          message: `import of ${file.item_count} items started: GET /api/v1/lockbox/files/${file.id} for its progress`,
          file,
        });
      },
    );

    r.get(
      "/api/v1/lockbox/files",
      {
        config: { access },
        schema: {
          tags,
          summary: "Lockbox files, newest first (`before=<next_before>` for more)",
          querystring: filesQuery,
        },
      },
      async (request) => listLockboxFiles(request.ctx, request.query),
    );

    r.get(
      "/api/v1/lockbox/files/:id",
      {
        config: { access },
        schema: {
          tags,
          summary:
            "A lockbox file and its import's progress: item_count, done_count, posted_count, suspense_count, status",
          params: fileParams,
        },
      },
      async (request) => lockboxFileView(request.ctx, request.params.id),
    );

    r.get(
      "/api/v1/payment-suspense",
      {
        config: { access },
        schema: {
          tags,
          summary: "The payment suspense queue: lockbox items not matched to an account, oldest deposit first",
          querystring: suspenseQuery,
        },
      },
      async (request) => suspenseQueue(request.ctx, request.query),
    );

    r.get(
      "/api/v1/payment-suspense/:item_id",
      {
        config: { access },
        schema: {
          tags,
          summary: "A suspense item and the accounts it may belong to, each with why it is suggested",
          params: itemParams,
        },
      },
      async (request) => suspenseItem(request.ctx, request.params.item_id),
    );

    r.post(
      "/api/v1/payment-suspense/:item_id/apply",
      {
        config: { access, idempotency: "required" },
        schema: {
          tags,
          summary:
            "Apply a suspense item to an account (Idempotency-Key required): a lockbox payment onto the account, " +
            "Dr payment suspense; 409 when the item is no longer in suspense",
          params: itemParams,
          body: applyInput,
        },
      },
      async (request, reply) =>
        respondOnce(request, reply, 200, (tx) => applySuspenseItem(tx, request.params.item_id, request.body)),
    );

    r.post(
      "/api/v1/payment-suspense/:item_id/return",
      {
        config: { access, idempotency: "required" },
        schema: {
          tags,
          summary:
            "Return a suspense item to the sender with a note (Idempotency-Key required): Dr payment suspense / " +
            "Cr bank clearing; 409 when the item is no longer in suspense",
          params: itemParams,
          body: returnInput,
        },
      },
      async (request, reply) =>
        respondOnce(request, reply, 200, (tx) => returnSuspenseItem(tx, request.params.item_id, request.body)),
    );
  });
}
