import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { isValidAccountNumber } from "../../../core/account-number.js";
import { audit } from "../../../platform/audit.js";
import { type Ctx, inTx } from "../../../platform/context.js";
import { Problem } from "../../../platform/errors.js";
import { preparedRows } from "../../../platform/prepared.js";
import { glAccounts, postGeneralEntry } from "../../ledger/index.js";
import { type BulkPayment, postPaymentsBulk } from "../bulk.js";
import { lockboxFiles } from "../cashiering-schema.js";
import { dollars } from "../receipt.js";
import { parseLockbox } from "./parse.js";
import {
  LineErrors,
  type LockboxFormat,
  type LockboxLineError,
  type LockboxPayment,
  type ParsedLockbox,
} from "./parsed.js";
import { fileSummary, type LockboxFileSummary } from "./views.js";

/** Lines per transaction: each chunk is one transaction, so a killed import loses at most the chunk it was in. */
export const DEFAULT_CHUNK_SIZE = 2000;

/** Why an item went to suspense instead of posting. */
export type SuspenseReason = "no_account_number" | "check_digit" | "no_such_account";

export interface LockboxImportOptions {
  /** Called after each chunk commits (and once at the start): lines recorded so far of the file's total. */
  onProgress?: (p: { done: number; total: number }) => void;
  /** Lines per transaction (default 2,000). */
  chunkSize?: number;
}

/** What an import did: the file's figures (all runs together) and what this run posted. */
export interface LockboxImportResult extends LockboxFileSummary {
  file_id: number;
  /** imported: this run imported it all; resumed: this run finished an import that was cut off; already_imported. */
  outcome: "imported" | "resumed" | "already_imported";
  /** Payments this run posted, and their total. */
  posted_now: number;
  posted_now_cents: bigint;
  /** Items this run parked in suspense, and their total. */
  suspense_now: number;
  suspense_now_cents: bigint;
  /** Items an earlier run had already recorded when this one started (skipped now). */
  already_count: number;
  already_cents: bigint;
  /** One line for people: what happened. */
  message: string;
}

/** A file refused for malformed lines: 400, each problem in errors[] with its line (the first 100; error_count all). */
export function lockboxRefused(fileName: string, errors: LockboxLineError[], errorCount: number): Problem {
  return new Problem(
    400,
    "Bad request",
    `${fileName} is not a valid lockbox file (${errorCount} problem${errorCount === 1 ? "" : "s"}): nothing was imported`,
    {
      errors: errors.map((e) => ({
        field: "file",
        line: e.line,
        ...(e.column ? { column: e.column } : {}),
        message: e.message,
      })),
      error_count: errorCount,
    },
  );
}

type FileRow = typeof lockboxFiles.$inferSelect;

/** A file's payments dated after the business date cannot have been deposited yet: a problem of the file. */
function checkDates(file: ParsedLockbox, today: string): LineErrors {
  const errors = new LineErrors();
  for (const p of file.payments) {
    if (p.depositDate > today) {
      errors.add(p.line, `the deposit date ${p.depositDate} is after today's business date ${today}`, "deposit_date");
    }
  }
  return errors;
}

/** The lockbox file row of these bytes: made (status importing) in its own transaction, or the one already there. */
async function fileRecord(
  ctx: Ctx,
  name: string,
  sha256: string,
  parsed: ParsedLockbox,
): Promise<{ row: FileRow; created: boolean }> {
  return inTx(ctx, async (tx) => {
    const [made] = await tx.db
      .insert(lockboxFiles)
      .values({
        fileName: name,
        sha256,
        format: parsed.format,
        depositDate: parsed.depositDate,
        businessDate: tx.clock.today().toString(),
        itemCount: parsed.payments.length,
        totalCents: parsed.totalCents,
        importedBy: tx.actor.username,
        startedAt: tx.clock.now().toString(),
      })
      .onConflictDoNothing({ target: lockboxFiles.sha256 })
      .returning();
    if (!made) {
      const [known] = await tx.db.select().from(lockboxFiles).where(eq(lockboxFiles.sha256, sha256));
      if (!known) throw new Error(`lockbox file ${sha256} vanished while it was being imported`);
      return { row: known, created: false };
    }
    await audit(tx, {
      action: "lockbox.import_started",
      entityType: "lockbox_file",
      entityId: made.id,
      after: {
        file_name: name,
        sha256,
        format: parsed.format,
        deposit_date: parsed.depositDate,
        item_count: parsed.payments.length,
        total_cents: parsed.totalCents,
      },
    });
    return { row: made, created: true };
  });
}

/** The GL accounts an unmatched payment is parked between: Dr bank clearing / Cr payment suspense. */
async function suspenseGl(ctx: Ctx): Promise<{ bank: string; suspense: string }> {
  const rows = await ctx.db.select({ code: glAccounts.code, purpose: glAccounts.purpose }).from(glAccounts);
  const code = (purpose: string) => {
    const found = rows.find((r) => r.purpose === purpose)?.code;
    if (!found) throw new Error(`the chart of GL accounts has no ${purpose} account`);
    return found;
  };
  return { bank: code("bank_clearing"), suspense: code("payment_suspense") };
}

interface ChunkOutcome {
  posted: number;
  postedCents: bigint;
  postedNow: number;
  postedNowCents: bigint;
  suspense: number;
  suspenseCents: bigint;
  /** The file was finished meanwhile by another run: stop. */
  finished: boolean;
}

/** Lines listed in a journal entry's description, at most this many (the items name the entry in any case). */
const LISTED_LINES = 20;

/**
 * One chunk, one transaction: the lines not yet recorded are matched by account number (one query), the matched
 * posted as payments, the rest parked in suspense by one general entry (a Dr bank clearing / Cr payment suspense pair
 * per item, the entry's id on each item), the items recorded and the file's counters moved. The file row is locked
 * first, so two runs of one file never record a line twice (and the unique line key would refuse it anyway).
 */
async function importChunk(
  ctx: Ctx,
  file: FileRow,
  chunk: LockboxPayment[],
  gl: { bank: string; suspense: string },
): Promise<ChunkOutcome> {
  return inTx(ctx, async (tx) => {
    const out: ChunkOutcome = {
      posted: 0,
      postedCents: 0n,
      postedNow: 0,
      postedNowCents: 0n,
      suspense: 0,
      suspenseCents: 0n,
      finished: false,
    };
    const first = chunk[0]!.line;
    const last = chunk[chunk.length - 1]!.line;
    const [state] = await preparedRows<{ status: string }>(
      tx,
      sql`SELECT status FROM lockbox_files WHERE id = ${file.id}::int8 FOR UPDATE`,
    );
    if (state?.status !== "importing") return { ...out, finished: true };
    const recorded = await preparedRows<{ line_number: number }>(
      tx,
      sql`SELECT line_number FROM lockbox_items
           WHERE file_id = ${file.id}::int8 AND line_number BETWEEN ${first}::int4 AND ${last}::int4`,
    );
    const skip = new Set(recorded.map((r) => Number(r.line_number)));
    const todo = chunk.filter((p) => !skip.has(p.line));
    if (todo.length === 0) return out;

    const wellFormed = [
      ...new Set(
        todo.flatMap((p) => (p.accountNumber && isValidAccountNumber(p.accountNumber) ? [p.accountNumber] : [])),
      ),
    ];
    const found = wellFormed.length
      ? await preparedRows<{ id: bigint; account_number: string }>(
          tx,
          sql`SELECT id, account_number FROM accounts WHERE account_number = ANY(${sql.param(wellFormed)}::text[])`,
        )
      : [];
    const accountOf = new Map(found.map((r) => [r.account_number, Number(r.id)]));
    const reasonOf = (p: LockboxPayment): SuspenseReason | null => {
      if (!p.accountNumber) return "no_account_number";
      if (!isValidAccountNumber(p.accountNumber)) return "check_digit";
      return accountOf.has(p.accountNumber) ? null : "no_such_account";
    };
    const sourceRef = (p: LockboxPayment) => `lockbox:${file.id}:${p.line}`;
    const matched = todo.filter((p) => reasonOf(p) === null);
    const unmatched = todo.filter((p) => reasonOf(p) !== null);

    const paymentOf = new Map<string, number>();
    if (matched.length) {
      const list: BulkPayment[] = matched.map((p) => ({
        sourceRef: sourceRef(p),
        accountId: accountOf.get(p.accountNumber!)!,
        amountCents: p.amountCents,
        tender: { type: "check", checkNumber: p.checkNumber },
        channel: "lockbox",
        receivedOn: p.depositDate,
        note: p.remitter ? `remitter: ${p.remitter}` : null,
      }));
      const posted = await postPaymentsBulk(tx, list, {
        action: "lockbox.post_chunk",
        entityType: "lockbox_file",
        entityId: file.id,
        note: `${file.fileName} lines ${first}-${last}`,
      });
      for (const p of posted) {
        paymentOf.set(p.sourceRef, p.paymentId);
        out.posted++;
        out.postedCents += p.amountCents;
        if (!p.alreadyPosted) {
          out.postedNow++;
          out.postedNowCents += p.amountCents;
        }
      }
    }

    let entryId: number | null = null;
    if (unmatched.length) {
      out.suspense = unmatched.length;
      out.suspenseCents = unmatched.reduce((s, p) => s + p.amountCents, 0n);
      const lines = unmatched.slice(0, LISTED_LINES).map((p) => p.line);
      const more = unmatched.length > LISTED_LINES ? ` and ${unmatched.length - LISTED_LINES} more` : "";
      const entry = await postGeneralEntry(tx, {
        reference: `lockbox:${file.id}:suspense:${first}-${last}`,
        description: `Lockbox ${file.fileName}: ${unmatched.length} unmatched payment${unmatched.length === 1 ? "" : "s"} (${dollars(out.suspenseCents)}) to payment suspense, line${unmatched.length === 1 ? "" : "s"} ${lines.join(", ")}${more}`,
        postings: unmatched.flatMap((p) => [
          { gl_account: gl.bank, amount_cents: p.amountCents },
          { gl_account: gl.suspense, amount_cents: -p.amountCents },
        ]),
      });
      entryId = entry.entry_id;
    }

    const col = <T>(f: (p: LockboxPayment) => T) => sql.param(todo.map(f));
    await tx.db.execute(sql`
      INSERT INTO lockbox_items (file_id, line_number, account_number, amount_cents, check_number, remitter,
                                 account_id, status, suspense_reason, payment_id, suspense_entry_id)
      SELECT ${file.id}::int8, v.* FROM unnest(
        ${col((p) => p.line)}::int4[], ${col((p) => p.accountNumber)}::text[], ${col((p) => p.amountCents)}::int8[],
        ${col((p) => p.checkNumber)}::text[], ${col((p) => p.remitter)}::text[],
        ${col((p) => (reasonOf(p) === null ? accountOf.get(p.accountNumber!)! : null))}::int8[],
        ${col((p) => (reasonOf(p) === null ? "posted" : "suspense"))}::text[], ${col(reasonOf)}::text[],
        ${col((p) => paymentOf.get(sourceRef(p)) ?? null)}::int8[],
        ${col((p) => (reasonOf(p) === null ? null : entryId))}::int8[]) AS v`);
    await tx.db.execute(sql`
      UPDATE lockbox_files SET posted_count = posted_count + ${out.posted}::int4,
             posted_cents = posted_cents + ${out.postedCents}::int8,
             suspense_count = suspense_count + ${out.suspense}::int4,
             suspense_cents = suspense_cents + ${out.suspenseCents}::int8
       WHERE id = ${file.id}::int8`);
    await audit(tx, {
      action: "lockbox.import_chunk",
      entityType: "lockbox_file",
      entityId: file.id,
      after: {
        lines: [first, last],
        skipped: skip.size,
        posted_count: out.posted,
        posted_cents: out.postedCents,
        suspense_count: out.suspense,
        suspense_cents: out.suspenseCents,
        suspense_entry_id: entryId,
      },
    });
    return out;
  });
}

/** Marks the file imported once every line is recorded; the file as it stands (whoever finished it). */
async function finish(ctx: Ctx, file: FileRow, run: Record<string, unknown>): Promise<FileRow> {
  return inTx(ctx, async (tx) => {
    const [row] = await tx.db.select().from(lockboxFiles).where(eq(lockboxFiles.id, file.id)).for("update");
    if (!row) throw new Error(`lockbox file ${file.id} vanished while it was being imported`);
    if (row.status === "imported") return row;
    if (row.postedCount + row.suspenseCount !== row.itemCount) {
      throw new Error(
        `lockbox file ${file.id}: ${row.postedCount + row.suspenseCount} of ${row.itemCount} items recorded, yet the import ran to its end`,
      );
    }
    const [done] = await tx.db
      .update(lockboxFiles)
      .set({ status: "imported", completedAt: tx.clock.now().toString() })
      .where(eq(lockboxFiles.id, file.id))
      .returning();
    await audit(tx, {
      action: "lockbox.imported",
      entityType: "lockbox_file",
      entityId: file.id,
      before: { status: "importing" },
      after: {
        status: "imported",
        posted_count: done!.postedCount,
        posted_cents: done!.postedCents,
        suspense_count: done!.suspenseCount,
        suspense_cents: done!.suspenseCents,
        run,
      },
    });
    return done!;
  });
}

/**
 * Imports a lockbox file (CSV or BAI2, from its content unless `format` says): a file with any malformed line is
 * refused whole (400 naming each line) and nothing posts; otherwise each payment is matched by the stub's account
 * number and posted (source reference lockbox:FILE:LINE), or parked in payment suspense with its reason. The same
 * bytes again post nothing (the file is known by its SHA-256), or finish an import that was cut off.
 */
export async function importLockbox(
  ctx: Ctx,
  file: { fileName: string; bytes: Uint8Array; format?: LockboxFormat },
  options: LockboxImportOptions = {},
): Promise<LockboxImportResult> {
  const parse = parseLockbox(file.bytes, file.format);
  if (!parse.ok) throw lockboxRefused(file.fileName, parse.errors, parse.errorCount);
  const parsed = parse.file;
  const dates = checkDates(parsed, ctx.clock.today().toString());
  if (dates.count) throw lockboxRefused(file.fileName, dates.list, dates.count);
  const chunkSize = Math.max(1, Math.trunc(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");

  const { row, created } = await fileRecord(ctx, file.fileName, sha256, parsed);
  const total = row.itemCount;
  const already = { count: row.postedCount + row.suspenseCount, cents: row.postedCents + row.suspenseCents };
  const now = { posted: 0, postedCents: 0n, suspense: 0, suspenseCents: 0n };
  const result = (final: FileRow, outcome: LockboxImportResult["outcome"], message: string): LockboxImportResult => ({
    file_id: final.id,
    ...fileSummary(final),
    outcome,
    posted_now: now.posted,
    posted_now_cents: now.postedCents,
    suspense_now: now.suspense,
    suspense_now_cents: now.suspenseCents,
    already_count: already.count,
    already_cents: already.cents,
    message,
  });
  if (row.status === "imported") {
    const when = row.completedAt ? ` on ${fileSummary(row).completed_at}` : "";
    return result(
      row,
      "already_imported",
      `${file.fileName} was already imported${when} (lockbox file ${row.id}, by ${row.importedBy}): nothing posted now`,
    );
  }

  options.onProgress?.({ done: already.count, total });
  const gl = await suspenseGl(ctx);
  let done = already.count;
  for (let at = 0; at < parsed.payments.length; at += chunkSize) {
    // Let the event loop run between chunks: on the embedded engine a query never waits on I/O, so without this the
    // whole file would be one unbroken chain of callbacks and no request (a progress poll) would be served meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    const chunk = parsed.payments.slice(at, at + chunkSize);
    const out = await importChunk(ctx, row, chunk, gl);
    if (out.finished) break;
    now.posted += out.postedNow;
    now.postedCents += out.postedNowCents;
    now.suspense += out.suspense;
    now.suspenseCents += out.suspenseCents;
    done += out.posted + out.suspense;
    options.onProgress?.({ done, total });
  }
  const final = await finish(ctx, row, {
    resumed: !created,
    posted_now: now.posted,
    posted_now_cents: now.postedCents,
    suspense_now: now.suspense,
    suspense_now_cents: now.suspenseCents,
  });
  const outcome = created ? "imported" : "resumed";
  const what = `${now.posted} payment${now.posted === 1 ? "" : "s"} posted (${dollars(now.postedCents)}), ${now.suspense} to suspense (${dollars(now.suspenseCents)})`;
  return result(
    final,
    outcome,
    created
      ? `${file.fileName} imported as lockbox file ${final.id}: ${what}`
      : `${file.fileName} (lockbox file ${final.id}) resumed: ${what} now; ${already.count} items were already recorded`,
  );
}
