/**
 * Disputes, pledges and forecasts: the facts that hold collection, entered by people. A CSR opens a dispute on the
 * account or on some of its bill items and an investigator resolves it; a CSR records an agency's energy-assistance
 * pledge; a supervisor keys the heat forecast for a territory (the manual weather adapter).
 */
import { sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, conflict, notFound, staleVersion } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { findAccount, policyInForce } from "../policy/index.js";

export interface DisputeView {
  id: number;
  account_id: number;
  reason: string;
  notes: string;
  status: "open" | "upheld" | "denied" | "withdrawn";
  item_ids: number[];
  disputed_cents: bigint;
  opened_on: string;
  opened_by: string;
  resolution: string | null;
  resolved_on: string | null;
  resolved_by: string | null;
  version: number;
}

type DisputeRow = Omit<DisputeView, "id" | "account_id" | "item_ids" | "disputed_cents"> & {
  id: bigint;
  account_id: bigint;
  item_ids: string[] | null;
  disputed_cents: bigint;
};

const SELECT_DISPUTES = sql`SELECT d.id, d.account_id, d.reason, d.notes, d.status, d.opened_on::text AS opened_on,
    d.opened_by, d.resolution, d.resolved_on::text AS resolved_on, d.resolved_by, d.version,
    (SELECT array_agg(di.item_id::text ORDER BY di.item_id) FROM dispute_items AS di WHERE di.dispute_id = d.id) AS item_ids,
    (SELECT coalesce(sum(ri.open_cents), 0) FROM dispute_items AS di JOIN receivable_items AS ri ON ri.id = di.item_id
     WHERE di.dispute_id = d.id)::int8 AS disputed_cents
  FROM disputes AS d`;

const disputeView = (r: DisputeRow): DisputeView => ({
  ...r,
  id: Number(r.id),
  account_id: Number(r.account_id),
  item_ids: (r.item_ids ?? []).map(Number),
  disputed_cents: BigInt(r.disputed_cents),
});

export async function getDispute(ctx: Ctx, id: number): Promise<DisputeView> {
  const [row] = await preparedRows<DisputeRow>(ctx, sql`${SELECT_DISPUTES} WHERE d.id = ${id}::int8`);
  if (!row) throw notFound(`dispute ${id}`, "dispute_id");
  return disputeView(row);
}

export async function disputesOf(ctx: Ctx, accountId: number): Promise<DisputeView[]> {
  const rows = await preparedRows<DisputeRow>(
    ctx,
    sql`${SELECT_DISPUTES} WHERE d.account_id = ${accountId}::int8 ORDER BY d.id DESC`,
  );
  return rows.map(disputeView);
}

/** Opens a dispute of the account (no items) or of some of its open bill items. */
export async function openDispute(
  ctx: Ctx,
  accountId: number,
  input: { reason: string; notes?: string; item_ids?: number[] },
): Promise<DisputeView> {
  return inTx(ctx, async (tx) => {
    await findAccount(tx, { id: accountId });
    const ids = [...new Set(input.item_ids ?? [])];
    if (ids.length > 0) {
      const found = await preparedRows<{ id: bigint }>(
        tx,
        sql`SELECT id FROM receivable_items
            WHERE id = ANY (${sql.param(ids)}::int8[]) AND account_id = ${accountId}::int8 AND open_cents > 0`,
      );
      const ok = new Set(found.map((f) => Number(f.id)));
      const errors = ids
        .map((id, i) => ({ id, i }))
        .filter(({ id }) => !ok.has(id))
        .map(({ id, i }) => ({ field: `item_ids.${i}`, message: `item ${id} is not an open item of this account` }));
      if (errors.length > 0) throw badRequest("item_ids: only the account's open items can be disputed", errors);
    }
    const [row] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO disputes (account_id, reason, notes, opened_on, opened_by)
          VALUES (${accountId}::int8, ${input.reason}, ${input.notes ?? ""}, ${tx.clock.today().toString()}::date,
                  ${tx.actor.username})
          RETURNING id`,
    );
    const id = Number(row!.id);
    if (ids.length > 0) {
      await preparedRows(
        tx,
        sql`INSERT INTO dispute_items (dispute_id, account_id, item_id)
            SELECT ${id}::int8, ${accountId}::int8, unnest(${sql.param(ids)}::int8[])`,
      );
    }
    const after = await getDispute(tx, id);
    await audit(tx, { entityType: "dispute", entityId: id, accountId, action: "open", after });
    return after;
  });
}

/** Resolves an open dispute: upheld (the customer was right: adjust the bill), denied or withdrawn. */
export async function resolveDispute(
  ctx: Ctx,
  id: number,
  input: { version: number; status: "upheld" | "denied" | "withdrawn"; resolution: string },
): Promise<DisputeView> {
  return inTx(ctx, async (tx) => {
    const before = await getDispute(tx, id);
    if (before.version !== input.version) throw staleVersion(`dispute ${id}`, before.version);
    if (before.status !== "open") throw conflict(`dispute ${id} is already ${before.status}`);
    await preparedRows(
      tx,
      sql`UPDATE disputes SET status = ${input.status}, resolution = ${input.resolution},
            resolved_on = ${tx.clock.today().toString()}::date, resolved_by = ${tx.actor.username},
            version = version + 1
          WHERE id = ${id}::int8`,
    );
    const after = await getDispute(tx, id);
    await audit(tx, {
      entityType: "dispute",
      entityId: id,
      accountId: before.account_id,
      action: "resolve",
      before,
      after,
    });
    return after;
  });
}

export interface PledgeView {
  id: number;
  account_id: number;
  agency: string;
  amount_cents: bigint;
  pledged_on: string;
  /** It holds collection until it is paid or this day passes. */
  expires_on: string;
  /** pending | received | expired | cancelled: a pending pledge past its day reads as expired. */
  status: string;
  recorded_by: string;
  version: number;
}

type PledgeRow = Omit<PledgeView, "id" | "account_id" | "amount_cents"> & {
  id: bigint;
  account_id: bigint;
  amount_cents: bigint;
};

// A pending pledge stops holding collection the day after it expires (facts.ts): it is shown as what it then is.
const selectPledges = (today: string) => sql`SELECT x.id, x.account_id, x.agency, x.amount_cents,
    x.pledged_on::text AS pledged_on, x.expires_on::text AS expires_on,
    CASE WHEN x.status = 'pending' AND x.expires_on < ${today}::date THEN 'expired' ELSE x.status END AS status,
    x.recorded_by, x.version
  FROM assistance_pledges AS x`;

const pledgeView = (r: PledgeRow): PledgeView => ({
  ...r,
  id: Number(r.id),
  account_id: Number(r.account_id),
  amount_cents: BigInt(r.amount_cents),
});

/** The account's energy-assistance pledges, newest first. */
export async function pledgesOf(ctx: Ctx, accountId: number, limit = 20): Promise<PledgeView[]> {
  const rows = await preparedRows<PledgeRow>(
    ctx,
    sql`${selectPledges(ctx.clock.today().toString())} WHERE x.account_id = ${accountId}::int8
        ORDER BY x.pledged_on DESC, x.id DESC LIMIT ${limit}::int4`,
  );
  return rows.map(pledgeView);
}

/** Records an agency's pending energy-assistance pledge toward the account. */
export async function recordPledge(
  ctx: Ctx,
  accountId: number,
  input: { agency: string; amount_cents: bigint; pledged_on: string; expires_on: string },
): Promise<PledgeView> {
  return inTx(ctx, async (tx) => {
    await findAccount(tx, { id: accountId });
    const today = tx.clock.today().toString();
    if (input.pledged_on > today) {
      throw badRequest("pledged_on: not after today", [{ field: "pledged_on", message: `not after ${today}` }]);
    }
    if (input.expires_on < input.pledged_on) {
      throw badRequest("expires_on: on or after pledged_on", [{ field: "expires_on", message: "before pledged_on" }]);
    }
    const [row] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO assistance_pledges (account_id, agency, amount_cents, pledged_on, expires_on, recorded_by)
          VALUES (${accountId}::int8, ${input.agency}, ${input.amount_cents.toString()}::int8, ${input.pledged_on}::date,
                  ${input.expires_on}::date, ${tx.actor.username})
          RETURNING id`,
    );
    const [created] = await preparedRows<PledgeRow>(
      tx,
      sql`${selectPledges(today)} WHERE x.id = ${row!.id.toString()}::int8`,
    );
    const pledge = pledgeView(created!);
    await audit(tx, {
      entityType: "assistance_pledge",
      entityId: pledge.id,
      accountId,
      action: "create",
      after: pledge,
    });
    return pledge;
  });
}

/**
 * Closes a pending pledge: received (the agency paid) or cancelled (the agency withdrew or denied it). Either way it
 * no longer holds collection. A stale version is refused (409), as is a pledge no longer pending.
 */
export async function closePledge(
  ctx: Ctx,
  pledgeId: number,
  input: { version: number; status: "received" | "cancelled" },
): Promise<PledgeView> {
  return inTx(ctx, async (tx) => {
    const today = tx.clock.today().toString();
    const [row] = await preparedRows<PledgeRow>(
      tx,
      sql`${selectPledges(today)} WHERE x.id = ${pledgeId}::int8 FOR UPDATE`,
    );
    if (!row) throw notFound(`pledge ${pledgeId}`, "pledge_id");
    const before = pledgeView(row);
    if (before.version !== input.version) throw staleVersion(`pledge ${pledgeId}`, before);
    if (before.status !== "pending") throw conflict(`pledge ${pledgeId} is already ${before.status}`);
    await preparedRows(
      tx,
      sql`UPDATE assistance_pledges SET status = ${input.status}, version = version + 1 WHERE id = ${pledgeId}::int8`,
    );
    const [fresh] = await preparedRows<PledgeRow>(tx, sql`${selectPledges(today)} WHERE x.id = ${pledgeId}::int8`);
    const after = pledgeView(fresh!);
    await audit(tx, {
      entityType: "assistance_pledge",
      entityId: pledgeId,
      accountId: before.account_id,
      action: input.status === "received" ? "received" : "cancel",
      before,
      after,
    });
    return after;
  });
}

export interface HeatForecast {
  territory: string;
  forecast_on: string;
  high_f: number;
  source: string;
}

/** Keys a territory's forecast highs (the manual weather adapter): a day keyed again replaces the earlier figure. */
export async function putHeatForecasts(ctx: Ctx, forecasts: Omit<HeatForecast, "source">[], source = "manual") {
  return inTx(ctx, async (tx) => {
    const p = <T>(f: (h: Omit<HeatForecast, "source">) => T) => sql.param(forecasts.map(f));
    await preparedRows(
      tx,
      sql`INSERT INTO heat_forecasts (territory, forecast_on, high_f, source, entered_by)
          SELECT f.territory, f.day, f.high, ${source}, ${tx.actor.username}
          FROM unnest(${p((h) => h.territory)}::text[], ${p((h) => h.forecast_on)}::date[], ${p((h) => h.high_f)}::int4[])
            AS f(territory, day, high)
          ON CONFLICT (territory, forecast_on) DO UPDATE SET high_f = excluded.high_f, source = excluded.source,
            entered_by = excluded.entered_by, entered_at = now()`,
    );
    await audit(tx, {
      entityType: "heat_forecast",
      entityId: forecasts[0]?.territory ?? "",
      action: "put",
      after: { forecasts, source },
    });
    return forecasts.map((f) => ({ ...f, source }));
  });
}

export interface HeatForecastOnFile extends HeatForecast {
  entered_by: string;
  entered_at: string;
}

/** The forecasts on file from a day on (today by default), by day and territory, with what holds disconnection. */
export async function heatForecastsFrom(ctx: Ctx, from?: string) {
  const today = ctx.clock.today().toString();
  const rules = (await policyInForce(ctx, today)).rules.collections;
  const rows = await preparedRows<HeatForecastOnFile>(
    ctx,
    sql`SELECT territory, forecast_on::text AS forecast_on, high_f, source, entered_by, entered_at::text AS entered_at
        FROM heat_forecasts WHERE forecast_on >= ${from ?? today}::date
        ORDER BY forecast_on, territory LIMIT 500`,
  );
  const forecasts = rows.map((r) => ({ ...r, entered_at: isoInstant(r.entered_at) }));
  return {
    as_of: today,
    threshold_f: rules.heat_threshold_f,
    window_hours: rules.heat_window_hours,
    holds_disconnection: rules.protect.heat,
    forecasts,
  };
}
