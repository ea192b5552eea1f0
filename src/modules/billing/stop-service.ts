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
import { getSetting } from "../../platform/settings.js";
import { getAccount, updateAccount } from "../accounts/index.js";
import { estimateMissingReads, keyReads } from "../metering/index.js";
import { updateServiceAgreement } from "../service/index.js";
import { billChunk } from "./chunk.js";
import { loadAgreements } from "./chunk-load.js";
import { mailAndDue } from "./due.js";
import { businessHolidays, dueDays, holdRules, mailLagDays } from "./run-settings.js";

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
    if (stop > today) {
      throw badRequest("stop_on: after today", [
        { field: "stop_on", message: `on or before today (${today}): a later move-out is keyed on the day` },
      ]);
    }
    if (stop < daysBefore(today, STOP_BACKDATE_DAYS)) {
      throw badRequest("stop_on: too far back", [
        { field: "stop_on", message: `no more than ${STOP_BACKDATE_DAYS} days before today` },
      ]);
    }
    const agreements = (await loadAgreements(tx, [accountId], stop)).filter((a) => a.end_date === null);
    if (agreements.length === 0) {
      throw ruleRefused("service.stop.no_service", `account ${account.account_number} has no active service`, {
        errors: [{ field: "account_id", message: "no active service agreement on the account on that date" }],
      });
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
      for (const w of wanted) {
        const e = made.find((m) => m.meterId === w.meterId && m.servicePointId === w.servicePointId);
        const [row] =
          e?.readId != null
            ? await preparedRows<{ reading: string }>(
                tx,
                sql`SELECT reading::text AS reading FROM meter_reads WHERE id = ${e.readId}::int8`,
              )
            : [];
        reads.push({
          meter_number: w.meter,
          read_on: stop,
          reading: row?.reading ?? null,
          kind: "estimated",
          status: row ? "valid" : "none",
          note: row ? null : "no earlier read to estimate from: key the final reading",
        });
      }
    }

    for (const a of agreements) {
      const [v] = await preparedRows<{ version: number }>(
        tx,
        sql`SELECT version FROM service_agreements WHERE id = ${a.sa_id}::int8`,
      );
      await updateServiceAgreement(tx, a.sa_id, { version: v!.version, end_date: stop, status: "stopped" });
    }

    // The final bill, off-cycle, through the stop date: issued today, mailed and due as any bill.
    const { mail, due } = mailAndDue(
      today,
      await getSetting(tx.db, mailLagDays, today),
      await getSetting(tx.db, dueDays, today),
      await getSetting(tx.db, businessHolidays, today),
    );
    const outcome = await billChunk(
      tx,
      {
        runId: null,
        cycle: "",
        billDate: today,
        readsThrough: stop,
        noHold: true,
        mail,
        due,
        hold: await getSetting(tx.db, holdRules, today),
      },
      [accountId],
    );
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
