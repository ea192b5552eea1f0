/**
 * Stop service (the customer moves out): each active agreement of the account ends on the stop date, the final read
 * is the customer's or the field's reading when the CSR has one, else estimated from the meter's history, and the
 * final bill is made at once, off-cycle, through the stop date; the account closes. What follows a closed account
 * (a deposit applied to the final bill, level pay settled, the closed-account collection steps) is the morning runs'.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, ruleRefused } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { getAccount, updateAccount } from "../accounts/index.js";
import { estimateMissingReads, keyReads } from "../metering/index.js";
import { updateServiceAgreement } from "../service/index.js";
import { billChunk, offCycleRun } from "./chunk.js";
import { loadAgreements } from "./chunk-load.js";

export interface StopServiceInput {
  stop_on: string;
  /** Final readings the CSR has (from the customer or the field), by meter; a meter not named is estimated. */
  reads?: { meter_number: string; reading: string; kind?: "actual" | "customer" }[] | undefined;
}

export interface FinalRead {
  meter_number: string;
  read_on: string;
  reading: string | null;
  kind: "actual" | "customer" | "estimated" | "on_file";
  status: string;
  note: string | null;
}

export interface StopServiceResult {
  account_id: number;
  account_number: string;
  stop_on: string;
  /** True when the stop is ahead: the agreements end that day and the morning after makes the final bill. */
  scheduled: boolean;
  agreements: number[];
  reads: FinalRead[];
  final_bill: {
    id: number;
    status: string;
    total_cents: bigint;
    amount_due_cents: bigint;
    due_date: string;
    exception: string | null;
  } | null;
  explanation: string;
}

const daysBefore = (day: string, n: number) => Temporal.PlainDate.from(day).subtract({ days: n }).toString();

/** How far back a stop may be dated: a move-out the customer reports late, within about two billing periods. */
export const STOP_BACKDATE_DAYS = 60;
/** How far ahead a stop may be scheduled. */
export const STOP_AHEAD_DAYS = 90;

const daysAfter = (day: string, n: number) => Temporal.PlainDate.from(day).add({ days: n }).toString();

export async function stopService(ctx: Ctx, accountId: number, input: StopServiceInput): Promise<StopServiceResult> {
  return inTx(ctx, async (tx) => {
    const today = tx.clock.today().toString();
    const account = await getAccount(tx, accountId);
    if (account.status !== "active") {
      throw ruleRefused("service.stop.not_active", `account ${account.account_number} is ${account.status}`, {
        errors: [{ field: "account_id", message: `the account is ${account.status}: only an active account stops` }],
      });
    }
    const stop = input.stop_on;
    if (stop > today) return scheduleStop(tx, account, stop, input, today);
    if (stop < daysBefore(today, STOP_BACKDATE_DAYS)) {
      throw badRequest("stop_on: too far back", [
        { field: "stop_on", message: `no more than ${STOP_BACKDATE_DAYS} days before today` },
      ]);
    }
    // The active agreements (one may carry a scheduled stop: stopping now replaces it).
    const active = await preparedRows<{ id: bigint; version: number }>(
      tx,
      sql`SELECT id, version FROM service_agreements WHERE account_id = ${accountId}::int8 AND status = 'active'`,
    );
    const versionOf = new Map(active.map((x) => [Number(x.id), x.version]));
    const agreements = (await loadAgreements(tx, [accountId], stop)).filter((a) => versionOf.has(a.sa_id));
    if (agreements.length === 0) {
      throw ruleRefused("service.stop.no_service", `account ${account.account_number} has no active service`, {
        errors: [{ field: "account_id", message: "no active service agreement on the account on that date" }],
      });
    }
    if (agreements.length < active.length) {
      throw badRequest("stop_on: before an agreement starts", [
        { field: "stop_on", message: "an agreement on the account starts after this day: stop on or after its start" },
      ]);
    }
    for (const a of agreements) {
      if (a.billed_through && stop < a.billed_through) {
        throw badRequest("stop_on: before the last billed day", [
          { field: "stop_on", message: `on or after ${a.billed_through}, the last day already billed` },
        ]);
      }
    }
    const byMeter = new Map(agreements.filter((a) => a.meter_number).map((a) => [a.meter_number!, a]));
    (input.reads ?? []).forEach((r, i) => {
      if (!byMeter.has(r.meter_number)) {
        throw badRequest(`reads.${i}.meter_number: not on the account`, [
          { field: `reads.${i}.meter_number`, message: `meter ${r.meter_number} is not on this account's service` },
        ]);
      }
    });

    // The final reads: keyed where given; on file when a read is already there on the day; else estimated.
    const reads: FinalRead[] = [];
    const onFile = await preparedRows<{ meter_id: bigint; reading: string; kind: string; status: string }>(
      tx,
      sql`SELECT meter_id, reading::text AS reading, kind, status FROM meter_reads
          WHERE meter_id = ANY (${sql.param(agreements.flatMap((a) => (a.meter_id === null ? [] : [a.meter_id])))}::int8[])
            AND read_on = ${stop}::date AND status <> 'replaced'`,
    );
    const wanted: { meterId: number; servicePointId: number; readOn: string; meter: string }[] = [];
    for (const a of agreements) {
      if (a.meter_id === null || !a.meter_number) continue;
      const given = input.reads?.find((r) => r.meter_number === a.meter_number);
      const there = onFile.find((r) => Number(r.meter_id) === a.meter_id);
      if (given) {
        if (there) {
          throw badRequest(`meter ${a.meter_number} already has a read on ${stop}`, [
            {
              field: `reads.${input.reads!.indexOf(given)}.reading`,
              message: `meter ${a.meter_number} already has a read on ${stop} (${there.reading}): leave it blank`,
            },
          ]);
        }
        const [view] = await keyReads(tx, a.meter_number, [
          { read_on: stop, reading: given.reading, kind: given.kind ?? "customer" },
        ]);
        reads.push({
          meter_number: a.meter_number,
          read_on: stop,
          reading: view!.reading,
          kind: given.kind ?? "customer",
          status: view!.status,
          note: view!.exception_note,
        });
      } else if (there) {
        reads.push({
          meter_number: a.meter_number,
          read_on: stop,
          reading: there.reading,
          kind: "on_file",
          status: there.status,
          note: null,
        });
      } else {
        wanted.push({ meterId: a.meter_id, servicePointId: a.service_point_id, readOn: stop, meter: a.meter_number });
      }
    }
    if (wanted.length > 0) {
      const made = await estimateMissingReads(tx, wanted);
      const written = await preparedRows<{ id: bigint; reading: string }>(
        tx,
        sql`SELECT id, reading::text AS reading FROM meter_reads
            WHERE id = ANY (${sql.param(made.flatMap((m) => (m.readId === null ? [] : [m.readId])))}::int8[])`,
      );
      for (const w of wanted) {
        const e = made.find((m) => m.meterId === w.meterId && m.servicePointId === w.servicePointId);
        const row = written.find((r) => Number(r.id) === e?.readId);
        reads.push({
          meter_number: w.meter,
          read_on: stop,
          reading: row?.reading ?? null,
          kind: "estimated",
          status: row ? "valid" : "none",
          note: row ? null : `${e?.explanation ?? "no estimate"}: key the final reading`,
        });
      }
    }

    for (const a of agreements) {
      await updateServiceAgreement(tx, a.sa_id, {
        version: versionOf.get(a.sa_id)!,
        end_date: stop,
        status: "stopped",
      });
    }

    // The final bill, off-cycle, through the stop date: issued today, mailed and due as any bill.
    const outcome = await billChunk(tx, await offCycleRun(tx, today, stop), [accountId]);
    const made = outcome.bills[0];
    let finalBill: StopServiceResult["final_bill"] = null;
    if (made) {
      const [b] = await preparedRows<{
        status: string;
        total_cents: bigint;
        amount_due_cents: bigint;
        due_date: string;
        exception: string | null;
      }>(
        tx,
        sql`SELECT status, total_cents, amount_due_cents, due_date::text AS due_date, exception
            FROM bills WHERE id = ${made.bill_id}::int8`,
      );
      finalBill = {
        id: made.bill_id,
        status: b!.status,
        total_cents: BigInt(b!.total_cents),
        amount_due_cents: BigInt(b!.amount_due_cents),
        due_date: b!.due_date,
        exception: b!.exception,
      };
    }

    const fresh = await getAccount(tx, accountId);
    await updateAccount(tx, accountId, { version: fresh.version, status: "closed" });

    const why = Object.keys(outcome.skippedWhy)[0];
    const billWords = finalBill
      ? finalBill.status === "held"
        ? `final bill ${finalBill.id} of ${formatCents(finalBill.total_cents)} is held for review (${finalBill.exception})`
        : `final bill ${finalBill.id} of ${formatCents(finalBill.total_cents)} is due ${finalBill.due_date}` +
          ` (${formatCents(finalBill.amount_due_cents)} due in all)`
      : why?.startsWith("held_read")
        ? "no final bill yet: the final read is held for review, and the bill follows when it is accepted"
        : "no final bill: nothing is left to bill after the last bill";
    const explanation = `Service stopped on ${stop} and account ${account.account_number} closed; ${billWords}.`;
    const result: StopServiceResult = {
      account_id: accountId,
      account_number: account.account_number,
      stop_on: stop,
      scheduled: false,
      agreements: agreements.map((a) => a.sa_id),
      reads,
      final_bill: finalBill,
      explanation,
    };
    await audit(tx, {
      action: "service.stop",
      entityType: "account",
      entityId: accountId,
      accountId,
      after: result,
    });
    return result;
  });
}

/**
 * A stop ahead of today: each active agreement gets the stop date as its end date and stays active until then; no
 * reading is taken (a meter cannot be read ahead). The morning after the stop date, the scheduled-stops run takes
 * the read on file for that day or estimates it, makes the final bill and closes the account.
 */
async function scheduleStop(
  tx: Ctx,
  account: { id: number; account_number: string },
  stop: string,
  input: StopServiceInput,
  today: string,
): Promise<StopServiceResult> {
  if (stop > daysAfter(today, STOP_AHEAD_DAYS)) {
    throw badRequest("stop_on: too far ahead", [
      { field: "stop_on", message: `no more than ${STOP_AHEAD_DAYS} days after today` },
    ]);
  }
  if ((input.reads ?? []).length > 0) {
    throw badRequest("reads: not ahead of the day", [
      { field: "reads", message: `a final reading is taken on the day: leave it out for a stop on ${stop}` },
    ]);
  }
  const agreements = await preparedRows<{ id: bigint; version: number }>(
    tx,
    sql`SELECT id, version FROM service_agreements
        WHERE account_id = ${account.id}::int8 AND status = 'active' ORDER BY id`,
  );
  if (agreements.length === 0) {
    throw ruleRefused("service.stop.no_service", `account ${account.account_number} has no active service`, {
      errors: [{ field: "account_id", message: "no active service agreement on the account" }],
    });
  }
  for (const a of agreements) {
    await updateServiceAgreement(tx, Number(a.id), { version: a.version, end_date: stop });
  }
  const result: StopServiceResult = {
    account_id: account.id,
    account_number: account.account_number,
    stop_on: stop,
    scheduled: true,
    agreements: agreements.map((a) => Number(a.id)),
    reads: [],
    final_bill: null,
    explanation:
      `Service at account ${account.account_number} will stop on ${stop}. The morning after, the final bill is made ` +
      "through that day (from the read on file for it, else an estimate) and the account closes.",
  };
  await audit(tx, {
    action: "service.stop_scheduled",
    entityType: "account",
    entityId: account.id,
    accountId: account.id,
    after: result,
  });
  return result;
}

/** Takes back a scheduled stop (the customer is staying): the active agreements' end dates are cleared. */
export async function cancelScheduledStop(
  ctx: Ctx,
  accountId: number,
): Promise<{ account_id: number; explanation: string }> {
  return inTx(ctx, async (tx) => {
    const account = await getAccount(tx, accountId);
    const agreements = await preparedRows<{ id: bigint; version: number; end_date: string }>(
      tx,
      sql`SELECT id, version, end_date::text AS end_date FROM service_agreements
          WHERE account_id = ${accountId}::int8 AND status = 'active' AND end_date IS NOT NULL ORDER BY id`,
    );
    if (account.status !== "active" || agreements.length === 0) {
      throw ruleRefused("service.stop.none_scheduled", `account ${account.account_number} has no stop scheduled`, {
        errors: [{ field: "account_id", message: "no stop is scheduled on this account" }],
      });
    }
    for (const a of agreements) {
      await updateServiceAgreement(tx, Number(a.id), { version: a.version, end_date: null });
    }
    const explanation = `The stop of ${agreements[0]!.end_date} is cancelled: service at account ${account.account_number} continues.`;
    await audit(tx, {
      action: "service.stop_cancelled",
      entityType: "account",
      entityId: accountId,
      accountId,
      before: { stop_on: agreements[0]!.end_date },
      after: { stop_on: null },
    });
    return { account_id: accountId, explanation };
  });
}

export interface ScheduledStopsResult {
  as_of: string;
  accounts: number;
  estimated_reads: number;
  final_bills: number;
  held_bills: number;
  /** Accounts closed with no final bill (a held final read, or nothing left to bill). */
  no_bill: number;
}

/** Accounts per transaction in the scheduled-stops run. */
const STOP_BATCH = 500;

/**
 * The morning run of scheduled stops: every active account whose active agreements ended before today, a batch at a
 * time, set-based: the final reads missing on the stop dates are estimated (one statement per batch), the agreements
 * stopped, the final bills made by the bill run's chunk code (through each agreement's own end date), the accounts
 * closed. Run again the same day, it finds nothing (the accounts are closed).
 */
export async function runScheduledStops(
  ctx: Ctx,
  opts: { date?: string | undefined } = {},
): Promise<ScheduledStopsResult> {
  const realToday = ctx.clock.today().toString();
  const today = opts.date ?? realToday;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today) || today > realToday) {
    throw badRequest("date: a date YYYY-MM-DD, not after today", [
      { field: "date", message: `not after ${realToday}` },
    ]);
  }
  const yesterday = daysBefore(today, 1);
  const result: ScheduledStopsResult = {
    as_of: today,
    accounts: 0,
    estimated_reads: 0,
    final_bills: 0,
    held_bills: 0,
    no_bill: 0,
  };
  let after = 0;
  for (;;) {
    const batch = await inTx(ctx, async (tx) => {
      await preparedRows(tx, sql`SELECT pg_advisory_xact_lock(7460006)`);
      // Accounts whose every active agreement has ended (an agreement without an end date keeps the account open).
      const due = await preparedRows<{ account_id: bigint }>(
        tx,
        sql`SELECT a.id AS account_id FROM accounts AS a
            WHERE a.status = 'active' AND a.id > ${after}::int8
              AND EXISTS (SELECT 1 FROM service_agreements AS sa WHERE sa.account_id = a.id AND sa.status = 'active'
                            AND sa.end_date <= ${yesterday}::date)
              AND NOT EXISTS (SELECT 1 FROM service_agreements AS sa WHERE sa.account_id = a.id
                                AND sa.status = 'active' AND (sa.end_date IS NULL OR sa.end_date > ${yesterday}::date))
            ORDER BY a.id LIMIT ${STOP_BATCH}::int4`,
      );
      if (due.length === 0) return null;
      const ids = due.map((d) => Number(d.account_id));
      const agreements = (await loadAgreements(tx, ids, yesterday)).filter((a) => a.end_date !== null);
      const missing = await preparedRows<{ meter_id: bigint; service_point_id: bigint; end_date: string }>(
        tx,
        sql`SELECT w.meter_id, w.service_point_id, w.end_date::text AS end_date
            FROM unnest(${sql.param(agreements.flatMap((a) => (a.meter_id === null ? [] : [a.meter_id])))}::int8[],
                        ${sql.param(agreements.flatMap((a) => (a.meter_id === null ? [] : [a.service_point_id])))}::int8[],
                        ${sql.param(agreements.flatMap((a) => (a.meter_id === null ? [] : [a.end_date!])))}::date[])
              AS w(meter_id, service_point_id, end_date)
            WHERE NOT EXISTS (SELECT 1 FROM meter_reads AS r WHERE r.meter_id = w.meter_id AND r.read_on = w.end_date
                                AND r.status <> 'replaced')`,
      );
      const estimated = await estimateMissingReads(
        tx,
        missing.map((m) => ({
          meterId: Number(m.meter_id),
          servicePointId: Number(m.service_point_id),
          readOn: m.end_date,
        })),
      );
      const stopped = await preparedRows<{ id: bigint; account_id: bigint; end_date: string }>(
        tx,
        sql`UPDATE service_agreements SET status = 'stopped', version = version + 1
            WHERE account_id = ANY (${sql.param(ids)}::int8[]) AND status = 'active' AND end_date IS NOT NULL
            RETURNING id, account_id, end_date::text AS end_date`,
      );
      const outcome = await billChunk(tx, await offCycleRun(tx, today, yesterday), ids);
      await preparedRows(
        tx,
        sql`UPDATE accounts SET status = 'closed', closed_on = ${today}::date, version = version + 1
            WHERE id = ANY (${sql.param(ids)}::int8[])`,
      );
      const billOf = new Map(outcome.bills.map((b) => [b.account_id, b]));
      await audit(
        tx,
        ...stopped.map((s) => ({
          action: "service_agreement.update",
          entityType: "service_agreement",
          entityId: Number(s.id),
          accountId: Number(s.account_id),
          after: { status: "stopped", end_date: s.end_date, by: "scheduled stop" },
        })),
        ...ids.map((id) => ({
          action: "service.stop",
          entityType: "account",
          entityId: id,
          accountId: id,
          after: {
            scheduled: true,
            status: "closed",
            final_bill_id: billOf.get(id)?.bill_id ?? null,
            final_bill_status: billOf.get(id)?.status ?? null,
          },
        })),
      );
      return {
        last: ids[ids.length - 1]!,
        accounts: ids.length,
        estimated: estimated.filter((e) => e.readId !== null).length,
        bills: outcome.bills.filter((b) => b.status === "issued").length,
        held: outcome.bills.filter((b) => b.status === "held").length,
      };
    });
    if (!batch) break;
    after = batch.last;
    result.accounts += batch.accounts;
    result.estimated_reads += batch.estimated;
    result.final_bills += batch.bills;
    result.held_bills += batch.held;
    result.no_bill += batch.accounts - batch.bills - batch.held;
  }
  return result;
}
