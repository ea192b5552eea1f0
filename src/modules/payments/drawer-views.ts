import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, hasPermission } from "../../platform/context.js";
import { forbidden, notFound } from "../../platform/errors.js";
import { accounts } from "../accounts/index.js";
import { users } from "../identity/index.js";
import { cashDrawerCounts, cashDrawers } from "./cashiering-schema.js";
import type { DrawerListQuery } from "./drawer-inputs.js";
import { paymentLines, payments, paymentTenders } from "./schema.js";
import { DRAWER_TENDERS, describeTender } from "./tenders.js";

export type DrawerRow = typeof cashDrawers.$inferSelect;

/** Every tender a drawer's payments may hold: the counted ones, then cards and ACH (listed, never counted). */
const ALL_TENDERS = [...DRAWER_TENDERS, "card", "ach"] as const;

/** What a drawer's posted payments brought in by one tender, and what should be there for it. */
export interface DrawerTotal {
  tender_type: string;
  /** Taken by the drawer's posted payments (reversed ones are left out). */
  taken_cents: bigint;
  /** How many tenders of this type. */
  taken_count: number;
  /** What should be in the drawer: cash adds the float; null for cards and ACH, which are not in the drawer. */
  expected_cents: bigint | null;
  counted: boolean;
}

/** One tender's count at close. */
export interface DrawerCountView {
  tender_type: string;
  expected_cents: bigint;
  counted_cents: bigint;
  /** Counted less expected: negative is short. */
  over_short_cents: bigint;
  expected_count: number | null;
  counted_count: number | null;
}

/** A payment taken into the drawer. */
export interface DrawerPaymentView {
  id: number;
  status: string;
  channel: string;
  total_cents: bigint;
  taken_by: string;
  recorded_at: string;
  reversed_on: string | null;
  accounts: { account_id: number; account_number: string }[];
  tenders: {
    type: string;
    amount_cents: bigint;
    gl_account: string;
    check_number: string | null;
    serial_number: string | null;
    description: string;
  }[];
}

/** A drawer in a list: who, where, when, and how it stands. */
export interface DrawerSummary {
  id: number;
  location: string;
  cashier: string;
  cashier_name: string;
  cashier_user_id: number;
  business_date: string;
  float_cents: bigint;
  status: string;
  opened_at: string;
  closed_at: string | null;
  closed_by: string | null;
  /** Cash (with the float), checks and money orders the drawer should hold now. */
  expected_cents: bigint;
  /** Counted less expected at close (null while open). */
  over_short_cents: bigint | null;
  deposit_cents: bigint | null;
  close_note: string | null;
  signed_off_by: string | null;
  signed_off_at: string | null;
  sign_off_note: string | null;
  open_entry_id: number | null;
  close_entry_id: number | null;
  version: number;
}

/** A drawer with its totals by tender, its count at close and its payments. */
export interface DrawerView extends DrawerSummary {
  totals: DrawerTotal[];
  /** The count at close, by tender (null while open). */
  counts: DrawerCountView[] | null;
  payments: DrawerPaymentView[];
}

const iso = (v: string | null) => (v === null ? null : isoInstant(v));

/** Whether the caller may see (and close) this drawer: their own, or any with drawers.sign_off. */
export function canSeeDrawer(ctx: Ctx, d: Pick<DrawerRow, "cashierUserId">): boolean {
  return d.cashierUserId === ctx.actor.userId || hasPermission(ctx.actor, "drawers.sign_off");
}

/** The drawer (404 naming `field` when there is none; 403 when it is another cashier's and the caller no supervisor). */
export async function requireDrawer(ctx: Ctx, id: number, field = "id", forUpdate = false): Promise<DrawerRow> {
  const query = ctx.db.select().from(cashDrawers).where(eq(cashDrawers.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`cash drawer ${id}`, field);
  if (!canSeeDrawer(ctx, row)) throw forbidden("drawers.sign_off");
  return row;
}

/** Taken by tender for each drawer (posted payments only): one query. */
export async function takenByTender(
  ctx: Ctx,
  drawerIds: number[],
): Promise<Map<number, Map<string, { cents: bigint; count: number }>>> {
  const out = new Map<number, Map<string, { cents: bigint; count: number }>>();
  if (drawerIds.length === 0) return out;
  const rows = await ctx.database.rows<{ drawer_id: bigint; type: string; cents: bigint; n: bigint }>(
    ctx.db,
    sql`SELECT p.drawer_id, t.type, sum(t.amount_cents)::int8 AS cents, count(*)::int8 AS n
        FROM payments AS p JOIN payment_tenders AS t ON t.payment_id = p.id
        WHERE p.drawer_id = ANY(${sql.param(drawerIds)}::int8[]) AND p.status = 'posted'
        GROUP BY p.drawer_id, t.type`,
  );
  for (const r of rows) {
    const id = Number(r.drawer_id);
    if (!out.has(id)) out.set(id, new Map());
    out.get(id)!.set(r.type, { cents: r.cents, count: Number(r.n) });
  }
  return out;
}

/** The totals by tender of a drawer with this float, from what its posted payments took. */
export function drawerTotals(
  floatCents: bigint,
  taken: Map<string, { cents: bigint; count: number }> | undefined,
): DrawerTotal[] {
  return ALL_TENDERS.map((type) => {
    const t = taken?.get(type) ?? { cents: 0n, count: 0 };
    const counted = (DRAWER_TENDERS as readonly string[]).includes(type);
    return {
      tender_type: type,
      taken_cents: t.cents,
      taken_count: t.count,
      expected_cents: counted ? t.cents + (type === "cash" ? floatCents : 0n) : null,
      counted,
    };
  });
}

/**
 * What the drawer should hold: while open, from its posted payments now; once closed, what was expected at close
 * (counted, which is the deposit and the float kept, less the over/short), whatever happened to a payment since.
 */
const expectedOf = (d: DrawerRow, totals: DrawerTotal[]) =>
  d.status === "open" || d.depositCents === null || d.overShortCents === null
    ? totals.reduce((s, t) => s + (t.expected_cents ?? 0n), 0n)
    : d.depositCents + d.floatCents - d.overShortCents;

function summaryOf(d: DrawerRow, cashierName: string | null, totals: DrawerTotal[]): DrawerSummary {
  return {
    id: d.id,
    location: d.location,
    cashier: d.cashier,
    cashier_name: cashierName ?? d.cashier,
    cashier_user_id: d.cashierUserId,
    business_date: d.businessDate,
    float_cents: d.floatCents,
    status: d.status,
    opened_at: isoInstant(d.openedAt),
    closed_at: iso(d.closedAt),
    closed_by: d.closedBy,
    expected_cents: expectedOf(d, totals),
    over_short_cents: d.overShortCents,
    deposit_cents: d.depositCents,
    close_note: d.closeNote,
    signed_off_by: d.signedOffBy,
    signed_off_at: iso(d.signedOffAt),
    sign_off_note: d.signOffNote,
    open_entry_id: d.openEntryId,
    close_entry_id: d.closeEntryId,
    version: d.version,
  };
}

async function cashierNames(ctx: Ctx, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(inArray(users.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The payments taken into a drawer, oldest first, with their tenders and accounts (three queries). */
async function drawerPayments(ctx: Ctx, drawerId: number): Promise<DrawerPaymentView[]> {
  const rows = await ctx.db.select().from(payments).where(eq(payments.drawerId, drawerId)).orderBy(asc(payments.id));
  if (rows.length === 0) return [];
  const ids = rows.map((p) => p.id);
  const tenders = await ctx.db
    .select()
    .from(paymentTenders)
    .where(inArray(paymentTenders.paymentId, ids))
    .orderBy(asc(paymentTenders.paymentId), asc(paymentTenders.position));
  const lines = await ctx.db
    .selectDistinct({
      paymentId: paymentLines.paymentId,
      accountId: paymentLines.accountId,
      number: accounts.accountNumber,
    })
    .from(paymentLines)
    .innerJoin(accounts, eq(accounts.id, paymentLines.accountId))
    .where(and(inArray(paymentLines.paymentId, ids), sql`${paymentLines.fromTransferId} IS NULL`))
    .orderBy(asc(paymentLines.paymentId), asc(paymentLines.accountId));
  return rows.map((p) => ({
    id: p.id,
    status: p.status,
    channel: p.channel,
    total_cents: p.totalCents,
    taken_by: p.takenBy,
    recorded_at: isoInstant(p.recordedAt),
    reversed_on: p.reversedOn,
    accounts: lines
      .filter((l) => l.paymentId === p.id)
      .map((l) => ({ account_id: l.accountId, account_number: l.number })),
    tenders: tenders
      .filter((t) => t.paymentId === p.id)
      .map((t) => ({
        type: t.type,
        amount_cents: t.amountCents,
        gl_account: t.glAccount,
        check_number: t.checkNumber,
        serial_number: t.serialNumber,
        description: describeTender(t),
      })),
  }));
}

/** One drawer as the API shows it: totals by tender, the count at close, its payments. */
export async function drawerView(ctx: Ctx, id: number, row?: DrawerRow): Promise<DrawerView> {
  const d = row ?? (await requireDrawer(ctx, id));
  const taken = await takenByTender(ctx, [d.id]);
  const totals = drawerTotals(d.floatCents, taken.get(d.id));
  const names = await cashierNames(ctx, [d.cashierUserId]);
  const countRows =
    d.status === "open" ? [] : await ctx.db.select().from(cashDrawerCounts).where(eq(cashDrawerCounts.drawerId, d.id));
  const order = (type: string) => (DRAWER_TENDERS as readonly string[]).indexOf(type);
  return {
    ...summaryOf(d, names.get(d.cashierUserId) ?? null, totals),
    totals,
    counts:
      d.status === "open"
        ? null
        : countRows
            .sort((a, b) => order(a.tenderType) - order(b.tenderType))
            .map((c) => ({
              tender_type: c.tenderType,
              expected_cents: c.expectedCents,
              counted_cents: c.countedCents,
              over_short_cents: c.countedCents - c.expectedCents,
              expected_count: c.expectedCount,
              counted_count: c.countedCount,
            })),
    payments: await drawerPayments(ctx, d.id),
  };
}

/** The caller's open drawer (404 when they have none). */
export async function currentDrawer(ctx: Ctx): Promise<DrawerView> {
  const [row] =
    ctx.actor.userId === null
      ? []
      : await ctx.db
          .select()
          .from(cashDrawers)
          .where(and(eq(cashDrawers.cashierUserId, ctx.actor.userId), eq(cashDrawers.status, "open")));
  if (!row) throw notFound("an open cash drawer of yours");
  return drawerView(ctx, row.id, row);
}

/**
 * Drawers, newest first, by business date and status: every cashier's for a supervisor (drawers.sign_off), else
 * the caller's own.
 */
export async function listDrawers(ctx: Ctx, q: DrawerListQuery): Promise<{ drawers: DrawerSummary[] }> {
  const where: SQL[] = [];
  if (q.status) where.push(eq(cashDrawers.status, q.status));
  if (q.date) where.push(eq(cashDrawers.businessDate, q.date));
  if (!hasPermission(ctx.actor, "drawers.sign_off")) where.push(eq(cashDrawers.cashierUserId, ctx.actor.userId ?? 0));
  const rows = await ctx.db
    .select()
    .from(cashDrawers)
    .where(and(...where))
    .orderBy(desc(cashDrawers.businessDate), desc(cashDrawers.id))
    .limit(q.limit);
  const taken = await takenByTender(
    ctx,
    rows.map((d) => d.id),
  );
  const names = await cashierNames(
    ctx,
    rows.map((d) => d.cashierUserId),
  );
  return {
    drawers: rows.map((d) =>
      summaryOf(d, names.get(d.cashierUserId) ?? null, drawerTotals(d.floatCents, taken.get(d.id))),
    ),
  };
}
