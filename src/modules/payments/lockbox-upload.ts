import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import type { Ctx } from "../../platform/context.js";
import { lockboxFiles } from "./cashiering-schema.js";
import { importLockbox } from "./lockbox/import.js";
import type { LockboxFormat } from "./lockbox/parsed.js";

/**
 * Lines per transaction when the server imports in the background: small enough that, on the embedded engine (one
 * query at a time), the workstation's requests (the progress bar's among them) get through between chunks.
 */
export const BACKGROUND_CHUNK = 500;

/** How an upload's import began: refused files throw (400) before this answers. */
export type ImportStart =
  | { kind: "started"; fileId: number }
  | { kind: "already_imported"; fileId: number }
  | { kind: "imported"; fileId: number };

/**
 * Starts importing a lockbox file in this process and answers as soon as it is under way: a refused file (malformed
 * lines) throws and a file already imported answers at once, from the import itself; otherwise the file's row exists
 * once the import reports its first progress, and the import goes on in the background, chunk by chunk, moving the
 * file's counters. A failure later is logged: importing the same file again resumes it.
 */
export async function startLockboxImport(
  ctx: Ctx,
  log: FastifyBaseLogger,
  file: { fileName: string; bytes: Uint8Array; format?: LockboxFormat },
): Promise<ImportStart> {
  let begun: () => void = () => undefined;
  const underWay = new Promise<null>((resolve) => {
    begun = () => resolve(null);
  });
  const run = importLockbox(ctx, file, { chunkSize: BACKGROUND_CHUNK, onProgress: () => begun() });
  const first = await Promise.race([underWay, run]);
  if (first)
    return { kind: first.outcome === "already_imported" ? "already_imported" : "imported", fileId: first.file_id };
  run.catch((err) =>
    log.error({ err, file: file.fileName }, "lockbox import failed; importing the file again resumes it"),
  );
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  const [row] = await ctx.db.select({ id: lockboxFiles.id }).from(lockboxFiles).where(eq(lockboxFiles.sha256, sha256));
  if (!row) throw new Error(`the lockbox file ${file.fileName} is importing but has no row`);
  return { kind: "started", fileId: row.id };
}
