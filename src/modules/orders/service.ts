/**
 * Service orders: opened in bulk by the processes that need field work (the daily collections run opens disconnect
 * orders), cancelled when the need goes (paid before the work), completed from the field with the date, read and
 * notes.
 */
import { sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, conflict, notFound, staleVersion } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";

export const ORDER_KINDS = ["disconnect_nonpay", "reconnect"] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

export interface OrderToOpen {
  account_id: number;
  premise_id: number | null;
  reason: string;
  due_on: string;
  priority?: "normal" | "same_day";
}

export interface OrderView {
  id: number;
  account_id: number;
  account_number: string;
  premise_id: number | null;
  service_address: string | null;
  kind: OrderKind;
  status: "open" | "completed" | "cancelled";
  priority: string;
  reason: string;
  source: string;
  opened_on: string;
  due_on: string;
  completed_on: string | null;
  completion_read: string | null;
  notes: string;
  closed_by: string | null;
  cancel_reason: string | null;
  version: number;
}

/** Opens orders of one kind on a day (today by default) in one statement; returns their ids by account. */
export async function openOrders(
  tx: Ctx,
  kind: OrderKind,
  source: string,
  orders: OrderToOpen[],
  openedOn: string = tx.clock.today().toString(),
): Promise<Map<number, number>> {
  const ids = new Map<number, number>();
  if (orders.length === 0) return ids;
  const p = <T>(f: (o: OrderToOpen) => T) => sql.param(orders.map(f));
  const rows = await preparedRows<{ id: bigint; account_id: bigint }>(
    tx,
    sql`INSERT INTO service_orders (account_id, premise_id, kind, reason, source, opened_on, due_on, priority)
        SELECT o.account, o.premise, ${kind}, o.reason, ${source}, ${openedOn}::date, o.due, o.priority
        FROM unnest(${p((o) => o.account_id)}::int8[], ${p((o) => o.premise_id)}::int8[], ${p((o) => o.reason)}::text[],
                    ${p((o) => o.due_on)}::date[], ${p((o) => o.priority ?? "normal")}::text[])
          AS o(account, premise, reason, due, priority)
        RETURNING id, account_id`,
  );
  for (const r of rows) ids.set(Number(r.account_id), Number(r.id));
  return ids;
}

/** Cancels the open orders among these ids, saying why; returns how many it cancelled. */
export async function cancelOrders(tx: Ctx, ids: number[], reason: string, by: string): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await preparedRows(
    tx,
    sql`UPDATE service_orders SET status = 'cancelled', cancel_reason = ${reason}, closed_by = ${by},
          version = version + 1
        WHERE id = ANY (${sql.param(ids)}::int8[]) AND status = 'open'
        RETURNING id`,
  );
  return rows.length;
}

type OrderRow = Omit<OrderView, "id" | "account_id" | "premise_id"> & {
  id: bigint;
  account_id: bigint;
  premise_id: bigint | null;
};

const SELECT_ORDERS = sql`SELECT so.id, so.account_id, a.account_number, so.premise_id,
    CASE WHEN pr.id IS NULL THEN NULL
         ELSE concat_ws(', ', pr.address_line1, pr.city) END AS service_address,
    so.kind, so.status, so.priority, so.reason, so.source, so.opened_on::text AS opened_on, so.due_on::text AS due_on,
    so.completed_on::text AS completed_on, so.completion_read, so.notes, so.closed_by, so.cancel_reason, so.version
  FROM service_orders AS so JOIN accounts AS a ON a.id = so.account_id
  LEFT JOIN premises AS pr ON pr.id = so.premise_id`;

const view = (r: OrderRow): OrderView => ({
  ...r,
  id: Number(r.id),
  account_id: Number(r.account_id),
  premise_id: r.premise_id === null ? null : Number(r.premise_id),
});

/** One order (404 naming the order when there is none). */
export async function getOrder(ctx: Ctx, id: number): Promise<OrderView> {
  const [row] = await preparedRows<OrderRow>(ctx, sql`${SELECT_ORDERS} WHERE so.id = ${id}::int8`);
  if (!row) throw notFound(`service order ${id}`, "order_id");
  return view(row);
}

/** The field worklist: open orders by due date, oldest first; completed or cancelled ones, or an account's, newest first. */
export async function listOrders(
  ctx: Ctx,
  filter: { account_id?: number; status?: string; kind?: OrderKind; limit?: number },
): Promise<OrderView[]> {
  const limit = Math.min(filter.limit ?? 100, 500);
  const rows = await preparedRows<OrderRow>(
    ctx,
    filter.account_id !== undefined
      ? sql`${SELECT_ORDERS} WHERE so.account_id = ${filter.account_id}::int8 ORDER BY so.id DESC LIMIT ${limit}::int4`
      : (filter.status ?? "open") === "open"
        ? sql`${SELECT_ORDERS} WHERE so.status = 'open'
                AND (${filter.kind ?? null}::text IS NULL OR so.kind = ${filter.kind ?? null}::text)
              ORDER BY so.due_on, so.id LIMIT ${limit}::int4`
        : sql`${SELECT_ORDERS} WHERE so.status = ${filter.status ?? "open"}
                AND (${filter.kind ?? null}::text IS NULL OR so.kind = ${filter.kind ?? null}::text)
              ORDER BY so.id DESC LIMIT ${limit}::int4`,
  );
  return rows.map(view);
}

/** Completes an open order from the field: the day done, the meter read, notes. */
export async function completeOrder(
  ctx: Ctx,
  id: number,
  input: { version: number; completed_on?: string; read?: string | null; notes?: string },
): Promise<OrderView> {
  return inTx(ctx, async (tx) => {
    const before = await getOrder(tx, id);
    if (before.version !== input.version) throw staleVersion(`service order ${id}`, before.version);
    if (before.status !== "open") throw conflict(`service order ${id} is ${before.status}`);
    const today = tx.clock.today().toString();
    const on = input.completed_on ?? today;
    if (on > today || on < before.opened_on) {
      throw badRequest("completed_on: between the day the order was opened and today", [
        { field: "completed_on", message: `from ${before.opened_on} to ${today}` },
      ]);
    }
    await preparedRows(
      tx,
      sql`UPDATE service_orders SET status = 'completed', completed_on = ${on}::date,
            completion_read = ${input.read ?? null}, notes = ${input.notes ?? ""}, closed_by = ${tx.actor.username},
            version = version + 1
          WHERE id = ${id}::int8`,
    );
    const after = await getOrder(tx, id);
    await audit(tx, {
      entityType: "service_order",
      entityId: id,
      accountId: after.account_id,
      action: "complete",
      before,
      after,
    });
    return after;
  });
}
