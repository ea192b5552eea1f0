/**
 * One chunk of a bill run, in one transaction: read what the chunk's accounts need, price each agreement with the
 * rate engine, decide issue or hold, and write the bills, their segments and (for issued bills) their ledger
 * entries, set-based. The unique (run, account) constraint makes a chunk that was already written fail whole
 * rather than bill anyone twice.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import {
  type IntervalSeries,
  type Line,
  lineToJson,
  quote,
  RateError,
  type Tariff,
  type Usage,
} from "../../core/rates/index.js";
import { audit } from "../../platform/audit.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { getSetting } from "../../platform/settings.js";
import { type BulkBillInput, postBillsBulk } from "../ledger/index.js";
import { estimateMissingReads, intervalSeriesFor, type ReadRow, readsSince } from "../metering/index.js";
import { loadTariff } from "../rates/index.js";
import { billParts } from "./categories.js";
import {
  type AccountFacts,
  type AgreementRow,
  type HistoryRow,
  loadAccountFacts,
  loadAgreements,
  loadHistory,
} from "./chunk-load.js";
import { billDatesOn, type HoldRules, holdRules } from "./run-settings.js";

export interface RunContext {
  /** Null for a rebill made outside a run. */
  runId: number | null;
  cycle: string;
  billDate: string;
  /** Reads up to this day are billed (default the bill date). */
  readsThrough?: string;
  /** Issue whatever the hold rules say (a billing analyst's rebill after review). */
  noHold?: boolean;
  mail: string;
  due: string;
  hold: HoldRules;
}

/**
 * The context of bills made outside a cycle run (a rebill, a final bill at stop of service): issued on `billDate`,
 * mailed and due as any bill of that day, through the reads up to `readsThrough`, the hold rules not applied.
 */
export async function offCycleRun(tx: Ctx, billDate: string, readsThrough: string): Promise<RunContext> {
  return {
    runId: null,
    cycle: "",
    billDate,
    readsThrough,
    noHold: true,
    ...(await billDatesOn(tx, billDate)),
    hold: await getSetting(tx.db, holdRules, billDate),
  };
}

export interface ChunkOutcome {
  billed: number;
  held: number;
  skipped: number;
  /** Why accounts were skipped (no read since the last bill, ...), counted. */
  skippedWhy: Record<string, number>;
  /** The bills written. */
  bills: { account_id: number; bill_id: number; status: "issued" | "held" }[];
}

const addDays = (d: string, n: number) => Temporal.PlainDate.from(d).add({ days: n }).toString();
const daysBetween = (from: string, to: string) =>
  Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to)).days + 1;

/** Decimal kWh strings summed exactly (three decimals at most, as reads are kept). */
function sumKwh(values: (string | null)[]): string {
  let milli = 0n;
  for (const v of values) {
    if (v === null) continue;
    const [whole, frac = ""] = v.replace("-", "").split(".");
    const m = BigInt(whole!) * 1000n + BigInt(frac.padEnd(3, "0").slice(0, 3));
    milli += v.startsWith("-") ? -m : m;
  }
  const neg = milli < 0n;
  const a = neg ? -milli : milli;
  const f = (a % 1000n).toString().padStart(3, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / 1000n}${f ? `.${f}` : ""}`;
}

/** The bill's period: the earliest first day and the latest last day of its agreements' periods. */
function spanOf(sas: { from: string; to: string }[]) {
  const froms = sas.map((b) => b.from).sort();
  const tos = sas.map((b) => b.to).sort();
  return { from: froms[0]!, to: tos.at(-1)! };
}

interface SaBill {
  sa: AgreementRow;
  from: string;
  to: string;
  kwh: string;
  estimated: boolean;
  startRead: ReadRow | null;
  endRead: ReadRow;
  tariff?: Tariff;
  lines: Line[];
  totalCents: bigint;
  hold?: { reason: string; note: string };
}

/**
 * What to bill of one agreement: the period from where billing stopped to the latest read, and its usage; or why it
 * bills nothing ("no_read", a held read). Pure.
 */
export function periodOf(sa: AgreementRow, reads: ReadRow[]): Omit<SaBill, "lines" | "totalCents"> | string {
  const after = sa.billed_through;
  const fresh = reads.filter((r) => (after ? r.read_on > after : true));
  const stop = sa.end_date;
  const candidates = stop ? fresh.filter((r) => r.read_on <= stop) : fresh;
  const end = candidates.at(-1);
  if (!end) return "no_read";
  if (end.status === "exception")
    return `read_exception:${end.exception ?? "held"}:${end.exception_note ?? ""}:${end.id}`;
  let from: string;
  let startRead: ReadRow | null = null;
  if (after) {
    from = addDays(after, 1);
    startRead = reads.find((r) => r.read_on === after) ?? null;
  } else {
    startRead = [...reads].reverse().find((r) => r.read_on < end.read_on && r.status === "valid") ?? null;
    // A first bill needs usage measured: a meter's opening read alone (no kWh yet) only starts it.
    if (!startRead && end.kwh === null) return "no_read";
    from = startRead && startRead.read_on >= addDays(sa.start_date, -1) ? addDays(startRead.read_on, 1) : sa.start_date;
  }
  if (from < sa.start_date) from = sa.start_date;
  if (from > end.read_on) return "no_read";
  const used = reads.filter((r) => r.status === "valid" && r.read_on >= from && r.read_on <= end.read_on);
  return {
    sa,
    from,
    to: end.read_on,
    kwh: sumKwh(used.map((r) => r.kwh)),
    estimated: end.kind === "estimated",
    startRead,
    endRead: end,
  };
}

function priceAgreement(
  bill: Omit<SaBill, "lines" | "totalCents">,
  tariff: Tariff,
  facts: AccountFacts,
  series: IntervalSeries | undefined,
): SaBill {
  try {
    // Interval data prices time of use (and demand) where the meter records it; a register total otherwise.
    const usage: Usage =
      series && series.startMs.length > 0
        ? { kind: "intervals", series }
        : { kind: "register", kwh: bill.kwh, demandKw: bill.endRead.demand_kw ?? undefined };
    const q = quote(
      tariff,
      {
        territory: bill.sa.territory,
        care: facts.programs.has("care"),
        fera: facts.programs.has("fera"),
        medicalBaseline: facts.programs.has("medical_baseline"),
      },
      { from: bill.from, to: bill.to },
      usage,
    );
    const kwh = usage.kind === "intervals" ? q.kwh : bill.kwh;
    return { ...bill, kwh, tariff, lines: q.lines, totalCents: q.totalCents };
  } catch (err) {
    if (!(err instanceof RateError)) throw err;
    return { ...bill, tariff, lines: [], totalCents: 0n, hold: { reason: "cannot_price", note: err.message } };
  }
}

/** Interval data of the meters whose agreements price by time of use, over the chunk's periods, in one read. */
async function intervalsFor(
  tx: Ctx,
  agreements: AgreementRow[],
  periods: Map<number, Omit<SaBill, "lines" | "totalCents"> | string>,
  tariffs: Map<string, Tariff | null>,
): Promise<Map<number, IntervalSeries>> {
  const wanted = agreements.filter(
    (a) =>
      a.meter_id !== null &&
      a.meter_kind === "interval" &&
      tariffs.get(a.tariff_code)?.hasTimeOfUse === true &&
      typeof periods.get(a.sa_id) !== "string",
  );
  if (wanted.length === 0) return new Map();
  const spans = wanted.map((a) => periods.get(a.sa_id) as { from: string; to: string });
  const from = spans.map((p) => p.from).sort()[0]!;
  const to = spans
    .map((p) => p.to)
    .sort()
    .at(-1)!;
  try {
    return await intervalSeriesFor(
      tx,
      wanted.map((a) => a.meter_id!),
      from,
      to,
    );
  } catch {
    // Mixed interval lengths in the range: those agreements price from their register reads (or are held).
    return new Map();
  }
}

/** Why a bill is held, if it is: high usage against history, a run of estimates, a total over the class's limit. */
function holdOf(bills: SaBill[], history: Map<number, HistoryRow[]>, klass: string, rules: HoldRules) {
  for (const b of bills) if (b.hold) return b.hold;
  for (const b of bills) {
    const past = history.get(b.sa.sa_id) ?? [];
    const perDay = Number(b.kwh) / daysBetween(b.from, b.to);
    if (past.length >= 2) {
      const avg = past.reduce((s, h) => s + Number(h.kwh) / Math.max(h.days, 1), 0) / past.length;
      if (avg > 0 && perDay > avg * rules.high_usage_factor)
        return {
          reason: "high_usage",
          note: `${perDay.toFixed(1)} kWh a day against an average of ${avg.toFixed(1)} over the last ${past.length} bills (hold above ${rules.high_usage_factor}x)`,
        };
    }
    if (b.estimated) {
      const run = 1 + past.findIndex((h) => !h.estimated);
      const inRow = run === 0 ? past.length + 1 : run;
      if (inRow >= rules.consecutive_estimates)
        return {
          reason: "consecutive_estimates",
          note: `${inRow} estimated bills in a row (hold at ${rules.consecutive_estimates})`,
        };
    }
  }
  const total = bills.reduce((s, b) => s + b.totalCents, 0n);
  const limit = BigInt(rules.over_cents[klass] ?? rules.over_cents.default ?? Number.MAX_SAFE_INTEGER);
  if (total > limit)
    return {
      reason: "over_threshold",
      note: `charges of ${total} cents are over the ${klass} limit of ${limit} cents`,
    };
  return undefined;
}

/** Bills one chunk of accounts for a run; returns what it did. */
export async function billChunk(tx: Ctx, run: RunContext, accountIds: number[]): Promise<ChunkOutcome> {
  const outcome: ChunkOutcome = { billed: 0, held: 0, skipped: 0, skippedWhy: {}, bills: [] };
  const through = run.readsThrough ?? run.billDate;
  const skip = (why: string) => {
    outcome.skipped++;
    outcome.skippedWhy[why] = (outcome.skippedWhy[why] ?? 0) + 1;
  };
  const agreements = await loadAgreements(tx, accountIds, through);
  const reads = await readsSince(
    tx,
    agreements.map((a) => ({
      servicePointId: a.service_point_id,
      from: a.billed_through ?? addDays(through, -400),
    })),
    through,
  );
  const facts = await loadAccountFacts(tx, accountIds, run.billDate);
  const history = await loadHistory(
    tx,
    agreements.map((a) => a.sa_id),
  );
  const tariffs = new Map<string, Tariff | null>();
  for (const code of new Set(agreements.map((a) => a.tariff_code))) {
    tariffs.set(code, await loadTariff(tx.db, code).catch(() => null));
  }

  const byAccount = new Map<number, AgreementRow[]>();
  for (const a of agreements) byAccount.set(a.account_id, [...(byAccount.get(a.account_id) ?? []), a]);

  // A cycle's read that did not come in is estimated (metering writes the estimated read), then billed as read.
  if (!run.noHold) {
    const wanted = agreements.flatMap((sa) => {
      if (sa.end_date || sa.meter_id === null) return [];
      const list = reads.get(sa.service_point_id) ?? [];
      if (typeof periodOf(sa, list) !== "string") return [];
      const last = sa.billed_through ?? list.filter((r) => r.status === "valid").at(-1)?.read_on;
      if (!last || daysBetween(last, through) < 26 || list.some((r) => r.read_on > last)) return [];
      return [{ meterId: sa.meter_id, servicePointId: sa.service_point_id, readOn: through }];
    });
    const made = (await estimateMissingReads(tx, wanted)).filter((e) => e.readId !== null);
    if (made.length > 0) {
      const again = await readsSince(
        tx,
        agreements
          .filter((a) => made.some((m) => m.servicePointId === a.service_point_id))
          .map((a) => ({ servicePointId: a.service_point_id, from: a.billed_through ?? addDays(through, -400) })),
        through,
      );
      for (const [sp, list] of again) reads.set(sp, list);
    }
  }

  type Planned = { accountId: number; sas: SaBill[]; hold?: { reason: string; note: string } };
  const periods = new Map<number, Omit<SaBill, "lines" | "totalCents"> | string>();
  for (const sa of agreements) periods.set(sa.sa_id, periodOf(sa, reads.get(sa.service_point_id) ?? []));
  const series = await intervalsFor(tx, agreements, periods, tariffs);
  const planned: Planned[] = [];
  for (const accountId of accountIds) {
    const sas = byAccount.get(accountId) ?? [];
    if (sas.length === 0) {
      skip("no_agreement");
      continue;
    }
    const f = facts.get(accountId)!;
    const bills: SaBill[] = [];
    let hold: { reason: string; note: string } | undefined;
    for (const sa of sas) {
      const p = periods.get(sa.sa_id)!;
      if (typeof p === "string") {
        if (p.startsWith("read_exception:")) {
          const [, reason, note] = p.split(":");
          hold = { reason: reason ?? "read_exception", note: `the read is held: ${note ?? ""}` };
        }
        continue;
      }
      const tariff = tariffs.get(sa.tariff_code);
      if (!tariff) {
        bills.push({
          ...p,
          lines: [],
          totalCents: 0n,
          hold: { reason: "cannot_price", note: `no tariff ${sa.tariff_code} in the book` },
        });
        continue;
      }
      bills.push(priceAgreement(p, tariff, f, sa.meter_id === null ? undefined : series.get(sa.meter_id)));
    }
    if (bills.length === 0) {
      skip(hold ? `held_read:${hold.reason}` : "no_read");
      continue;
    }
    const pricingHold = bills.find((b) => b.hold)?.hold;
    planned.push({
      accountId,
      sas: bills,
      hold: pricingHold ?? hold ?? (run.noHold ? undefined : holdOf(bills, history, sas[0]!.customer_class, run.hold)),
    });
  }
  if (planned.length === 0) return outcome;

  const idRows = await preparedRows<{ id: bigint }>(
    tx,
    sql`SELECT nextval(pg_get_serial_sequence('bills', 'id')) AS id FROM generate_series(1, ${planned.length}::int4)`,
  );
  const billIds = idRows.map((r) => Number(r.id)).sort((a, b) => a - b);

  const posting: BulkBillInput[] = [];
  const postingIndex: number[] = [];
  planned.forEach((p, i) => {
    if (p.hold) return;
    const { from, to } = spanOf(p.sas);
    const parts = billParts(
      p.sas.flatMap((b) => b.lines),
      `${from} to ${to}`,
    );
    if (parts.charges.length === 0 && parts.credits.length === 0) return;
    posting.push({
      account_id: p.accountId,
      reference: `bill:${billIds[i]}`,
      description: `Bill of ${run.billDate}`,
      due_date: run.due,
      service_period: { from, to },
      ...parts,
    });
    postingIndex.push(i);
  });
  const posted = await postBillsBulk(tx, posting);
  const entryOf = new Map<number, { entry: number; balance: bigint }>();
  for (const [k, r] of posted.entries()) entryOf.set(postingIndex[k]!, { entry: r.entry_id, balance: r.balance_cents });

  const cols = {
    id: [] as number[],
    account: [] as number[],
    from: [] as string[],
    to: [] as string[],
    status: [] as string[],
    total: [] as bigint[],
    prior: [] as bigint[],
    payments: [] as bigint[],
    due: [] as bigint[],
    kwh: [] as string[],
    estimated: [] as boolean[],
    detail: [] as string[],
    exception: [] as (string | null)[],
    note: [] as (string | null)[],
    entry: [] as (number | null)[],
  };
  const seg = {
    bill: [] as number[],
    account: [] as number[],
    sa: [] as number[],
    from: [] as string[],
    to: [] as string[],
    kwh: [] as string[],
    read: [] as number[],
    estimated: [] as boolean[],
  };
  planned.forEach((p, i) => {
    const f = facts.get(p.accountId)!;
    const total = p.sas.reduce((s, b) => s + b.totalCents, 0n);
    const posted = entryOf.get(i);
    const prior = posted ? posted.balance - total : f.balance;
    const { from, to } = spanOf(p.sas);
    const detail = {
      service_address: p.sas[0]!.sa.service_address,
      mailing: { name: f.name, lines: f.mailing },
      agreements: p.sas.map((b) => ({
        sa_id: b.sa.sa_id,
        tariff_code: b.sa.tariff_code,
        tariff_name: b.tariff?.name ?? b.sa.tariff_code,
        versions: [...new Set(b.lines.flatMap((l) => l.rule.split(", ").map((r) => r.split(" ")[0]!.split("@")[1]!)))],
        meter_number: b.sa.meter_number,
        multiplier: b.sa.multiplier,
        period: { from: b.from, to: b.to },
        days: daysBetween(b.from, b.to),
        reads: {
          start: b.startRead
            ? { read_on: b.startRead.read_on, reading: b.startRead.reading, kind: b.startRead.kind }
            : null,
          end: { id: b.endRead.id, read_on: b.endRead.read_on, reading: b.endRead.reading, kind: b.endRead.kind },
        },
        kwh: b.kwh,
        estimated: b.estimated,
        territory: b.sa.territory,
        programs: [...f.programs].sort(),
        lines: b.lines.map(lineToJson),
        total_cents: Number(b.totalCents),
      })),
      messages: p.sas.some((b) => b.lines.some((l) => l.kind === "credit"))
        ? ["Your bill includes the California Climate Credit."]
        : [],
    };
    cols.id.push(billIds[i]!);
    cols.account.push(p.accountId);
    cols.from.push(from);
    cols.to.push(to);
    cols.status.push(p.hold ? "held" : "issued");
    cols.total.push(total);
    cols.prior.push(prior);
    cols.payments.push(f.paymentsSince);
    cols.due.push(prior + total);
    cols.kwh.push(sumKwh(p.sas.map((b) => b.kwh)));
    cols.estimated.push(p.sas.some((b) => b.estimated));
    cols.detail.push(JSON.stringify(detail));
    cols.exception.push(p.hold?.reason ?? null);
    cols.note.push(p.hold?.note ?? null);
    cols.entry.push(posted?.entry ?? null);
    if (p.hold) outcome.held++;
    else outcome.billed++;
    outcome.bills.push({ account_id: p.accountId, bill_id: billIds[i]!, status: p.hold ? "held" : "issued" });
    for (const b of p.sas) {
      seg.bill.push(billIds[i]!);
      seg.account.push(p.accountId);
      seg.sa.push(b.sa.sa_id);
      seg.from.push(b.from);
      seg.to.push(b.to);
      seg.kwh.push(b.kwh);
      seg.read.push(b.endRead.id);
      seg.estimated.push(b.estimated);
    }
  });
  const q = sql.param;
  await preparedRows(
    tx,
    sql`WITH
    inserted AS (
      INSERT INTO bills (id, account_id, run_id, bill_date, period_from, period_to, mail_date, due_date, status,
                         total_cents, prior_balance_cents, payments_since_cents, amount_due_cents, kwh, estimated,
                         detail, exception, exception_note, entry_id)
      SELECT b.id, b.account_id, ${run.runId}::int8, ${run.billDate}::date, b.period_from, b.period_to,
             ${run.mail}::date, ${run.due}::date, b.status, b.total, b.prior, b.payments, b.due, b.kwh::numeric,
             b.estimated, b.detail::jsonb, b.exception, b.note, b.entry
      FROM unnest(${q(cols.id)}::int8[], ${q(cols.account)}::int8[], ${q(cols.from)}::date[], ${q(cols.to)}::date[],
                  ${q(cols.status)}::text[], ${q(cols.total)}::int8[], ${q(cols.prior)}::int8[],
                  ${q(cols.payments)}::int8[], ${q(cols.due)}::int8[], ${q(cols.kwh)}::text[],
                  ${q(cols.estimated)}::bool[], ${q(cols.detail)}::text[], ${q(cols.exception)}::text[],
                  ${q(cols.note)}::text[], ${q(cols.entry)}::int8[])
           AS b(id, account_id, period_from, period_to, status, total, prior, payments, due, kwh, estimated, detail,
                exception, note, entry)
      RETURNING id),
    segments AS (
      INSERT INTO bill_segments (bill_id, account_id, service_agreement_id, period_from, period_to, kwh, end_read_id,
                                 estimated)
      SELECT s.bill_id, s.account_id, s.sa, s.period_from, s.period_to, s.kwh::numeric, s.read, s.estimated
      FROM unnest(${q(seg.bill)}::int8[], ${q(seg.account)}::int8[], ${q(seg.sa)}::int8[], ${q(seg.from)}::date[],
                  ${q(seg.to)}::date[], ${q(seg.kwh)}::text[], ${q(seg.read)}::int8[], ${q(seg.estimated)}::bool[])
           AS s(bill_id, account_id, sa, period_from, period_to, kwh, read, estimated))
    UPDATE bill_runs SET billed = billed + ${outcome.billed}::int4, held = held + ${outcome.held}::int4,
                         skipped = skipped + ${outcome.skipped}::int4, version = version + 1
    WHERE id = ${run.runId}::int8`,
  );
  if (run.runId === null) return outcome;
  await audit(tx, {
    action: "billing.run_chunk",
    entityType: "bill_run",
    entityId: run.runId,
    accountId: null,
    after: {
      cycle: run.cycle,
      bill_date: run.billDate,
      first_account_id: accountIds[0],
      last_account_id: accountIds.at(-1),
      ...outcome,
    },
  });
  return outcome;
}
