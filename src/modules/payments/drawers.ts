import { and, eq, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { type FieldError, ruleRefused, staleVersion } from "../../platform/errors.js";
import { type GeneralPosting, postGeneralEntry } from "../ledger/index.js";
import { cashDrawerCounts, cashDrawers } from "./cashiering-schema.js";
import type { CloseDrawerInput, OpenDrawerInput, SignOffInput } from "./drawer-inputs.js";
import {
  type DrawerRow,
  type DrawerView,
  drawerTotals,
  drawerView,
  requireDrawer,
  takenByTender,
} from "./drawer-views.js";
import { DRAWER_TENDERS, type DrawerTender, tenderGlAccounts } from "./tenders.js";

/** The GL accounts a drawer posts to, by what they are for. */
async function drawerAccounts(ctx: Ctx) {
  const gl = await tenderGlAccounts(ctx);
  const code = (purpose: string) => {
    const c = gl.get(purpose);
    if (!c) throw new Error(`the chart of GL accounts has no ${purpose} account`);
    return c;
  };
  return {
    drawers: code("cash_drawers"),
    changeFund: code("change_fund"),
    bank: code("bank_clearing"),
    overShort: code("cash_over_short"),
  };
}

const refusedOn = (rule: string, detail: string, d: DrawerRow, message: string) =>
  ruleRefused(rule, detail, { drawer_id: d.id, status: d.status, errors: [{ field: "id", message }] });

const checkVersion = (d: DrawerRow, version: number | undefined) => {
  if (version !== undefined && version !== d.version) {
    throw staleVersion(`cash drawer ${d.id}`, { version: d.version, status: d.status });
  }
};

/**
 * Opens the caller's cash drawer for today with a float taken from the change fund (Dr cash drawers / Cr change
 * fund; no entry for a zero float). One open drawer per cashier: a second is refused while the first is open.
 */
export async function openDrawer(ctx: Ctx, input: OpenDrawerInput): Promise<DrawerView> {
  const userId = ctx.actor.userId;
  if (userId === null) {
    throw ruleRefused("drawers.cashier_required", "a cash drawer is a signed-in cashier's", {
      errors: [{ field: "cashier", message: "sign in as the cashier whose drawer it is" }],
    });
  }
  const floatCents = BigInt(input.float_cents);
  return inTx(ctx, async (tx) => {
    // The partial unique index (one open drawer per cashier) decides, even between two opens at the same moment.
    const [made] = await tx.database.rows<{ id: bigint }>(
      tx.db,
      sql`INSERT INTO cash_drawers (location, cashier_user_id, cashier, business_date, float_cents, opened_at)
          VALUES (${input.location}, ${userId}::int8, ${tx.actor.username}, ${tx.clock.today().toString()}::date,
                  ${floatCents}::int8, ${tx.clock.now().toString()}::timestamptz)
          ON CONFLICT (cashier_user_id) WHERE status = 'open' DO NOTHING
          RETURNING id`,
    );
    if (!made) {
      const [open] = await tx.db
        .select()
        .from(cashDrawers)
        .where(and(eq(cashDrawers.cashierUserId, userId), eq(cashDrawers.status, "open")));
      throw ruleRefused(
        "drawers.already_open",
        `you already have cash drawer ${open?.id} open (${open?.location}, ${open?.businessDate}): close it first`,
        {
          drawer_id: open?.id ?? null,
          errors: [{ field: "cashier", message: `drawer ${open?.id} is still open: close it before opening another` }],
        },
      );
    }
    const id = Number(made.id);
    let entryId: number | null = null;
    if (floatCents > 0n) {
      const gl = await drawerAccounts(tx);
      const entry = await postGeneralEntry(tx, {
        description: `Cash drawer ${id} opened at ${input.location}: float from the change fund`,
        reference: `drawer:${id}:open`,
        postings: [
          { gl_account: gl.drawers, amount_cents: floatCents },
          { gl_account: gl.changeFund, amount_cents: -floatCents },
        ],
      });
      entryId = entry.entry_id;
      await tx.db.update(cashDrawers).set({ openEntryId: entryId }).where(eq(cashDrawers.id, id));
    }
    await audit(tx, {
      action: "drawers.open",
      entityType: "cash_drawer",
      entityId: id,
      after: { location: input.location, float_cents: floatCents, business_date: tx.clock.today().toString() },
    });
    return drawerView(tx, id);
  });
}

/** One tender's count at close. */
interface Count {
  type: DrawerTender;
  expected: bigint;
  counted: bigint;
  expectedCount: number | null;
  countedCount: number | null;
}

/**
 * The close's one entry, so the drawer nets to zero in the cash drawers account: the float back to the change fund,
 * the over/short (short: Dr cash over and short / Cr cash drawers; over: the reverse), and the deposit to the bank
 * (Dr bank clearing / Cr cash drawers: counted cash less the float, plus the checks and money orders counted). A
 * drawer holding less cash than its float has a negative deposit: the bank makes the change fund whole.
 */
function closePostings(
  gl: Awaited<ReturnType<typeof drawerAccounts>>,
  float: bigint,
  overShort: bigint,
  deposit: bigint,
) {
  const lines: GeneralPosting[] = [];
  const pair = (debit: string, credit: string, cents: bigint) => {
    if (cents === 0n) return;
    lines.push({ gl_account: debit, amount_cents: cents }, { gl_account: credit, amount_cents: -cents });
  };
  pair(gl.changeFund, gl.drawers, float);
  if (overShort < 0n) pair(gl.overShort, gl.drawers, -overShort);
  else pair(gl.drawers, gl.overShort, overShort);
  pair(gl.bank, gl.drawers, deposit);
  return lines;
}

/**
 * Closes a drawer with what was counted, by tender: compares it with what its posted payments say should be there
 * (cash with the float), records the over/short, and posts one entry (closePostings). A note is required when it is
 * over or short. A cashier closes their own drawer; a supervisor (drawers.sign_off) anyone's.
 */
export async function closeDrawer(ctx: Ctx, id: number, input: CloseDrawerInput): Promise<DrawerView> {
  return inTx(ctx, async (tx) => {
    // Locked first: a payment into this drawer holds it FOR SHARE, so the count sees every payment committed.
    const d = await requireDrawer(tx, id, "id", true);
    if (d.status !== "open") {
      throw refusedOn(
        "drawers.not_open",
        `cash drawer ${id} is already ${d.status.replace("_", " ")}`,
        d,
        "already closed",
      );
    }
    checkVersion(d, input.version);
    const taken = (await takenByTender(tx, [id])).get(id);
    const totals = drawerTotals(d.floatCents, taken);
    const counts: Count[] = DRAWER_TENDERS.map((type) => {
      const total = totals.find((t) => t.tender_type === type)!;
      const given = input.counts[type];
      return {
        type,
        expected: total.expected_cents!,
        counted: BigInt(given.counted_cents),
        expectedCount: type === "cash" ? null : total.taken_count,
        countedCount: "count" in given && given.count !== undefined ? given.count : null,
      };
    });
    const expected = counts.reduce((s, c) => s + c.expected, 0n);
    const counted = counts.reduce((s, c) => s + c.counted, 0n);
    const overShort = counted - expected;
    const note = input.note?.trim() || null;
    if (overShort !== 0n && !note) {
      const errors: FieldError[] = [{ field: "note", message: "say why the drawer is over or short" }];
      throw ruleRefused(
        "drawers.note_required",
        `the drawer is ${overShort < 0n ? "short" : "over"} by ${overShort < 0n ? -overShort : overShort} cents: a note is required`,
        { over_short_cents: overShort, errors },
      );
    }
    const deposit = counted - d.floatCents;
    const lines = closePostings(await drawerAccounts(tx), d.floatCents, overShort, deposit);
    const what =
      overShort === 0n ? "balanced" : overShort < 0n ? `short ${-overShort} cents` : `over ${overShort} cents`;
    const entry =
      lines.length > 0
        ? await postGeneralEntry(tx, {
            description: `Cash drawer ${id} closed (${what}): float back to the change fund, deposit to the bank`,
            reference: `drawer:${id}:close`,
            postings: lines,
          })
        : null;
    await tx.db.insert(cashDrawerCounts).values(
      counts.map((c) => ({
        drawerId: id,
        tenderType: c.type,
        expectedCents: c.expected,
        countedCents: c.counted,
        expectedCount: c.expectedCount,
        countedCount: c.countedCount,
      })),
    );
    const [closed] = await tx.db
      .update(cashDrawers)
      .set({
        status: "closed",
        closedAt: tx.clock.now().toString(),
        closedBy: tx.actor.username,
        overShortCents: overShort,
        closeEntryId: entry?.entry_id ?? null,
        depositCents: deposit,
        closeNote: note,
        version: sql`${cashDrawers.version} + 1`,
      })
      .where(eq(cashDrawers.id, id))
      .returning();
    await audit(tx, {
      action: "drawers.close",
      entityType: "cash_drawer",
      entityId: id,
      before: { status: d.status },
      after: {
        status: "closed",
        counts: counts.map((c) => ({ tender_type: c.type, expected_cents: c.expected, counted_cents: c.counted })),
        over_short_cents: overShort,
        deposit_cents: deposit,
        note,
      },
    });
    return drawerView(tx, id, closed);
  });
}

/** A supervisor signs off a closed drawer (not their own), with an optional note. */
export async function signOffDrawer(ctx: Ctx, id: number, input: SignOffInput): Promise<DrawerView> {
  return inTx(ctx, async (tx) => {
    const d = await requireDrawer(tx, id, "id", true);
    if (d.status === "open") {
      throw refusedOn(
        "drawers.not_closed",
        `cash drawer ${id} is still open: it is signed off once closed`,
        d,
        "still open",
      );
    }
    if (d.status === "signed_off") {
      throw refusedOn(
        "drawers.already_signed_off",
        `cash drawer ${id} was signed off by ${d.signedOffBy}`,
        d,
        "already signed off",
      );
    }
    if (d.cashierUserId === tx.actor.userId) {
      throw refusedOn(
        "drawers.own_drawer",
        `cash drawer ${id} is your own: another supervisor signs it off`,
        d,
        "your own drawer",
      );
    }
    checkVersion(d, input.version);
    const note = input.note?.trim() || null;
    const [signed] = await tx.db
      .update(cashDrawers)
      .set({
        status: "signed_off",
        signedOffBy: tx.actor.username,
        signedOffAt: tx.clock.now().toString(),
        signOffNote: note,
        version: sql`${cashDrawers.version} + 1`,
      })
      .where(eq(cashDrawers.id, id))
      .returning();
    await audit(tx, {
      action: "drawers.sign_off",
      entityType: "cash_drawer",
      entityId: id,
      before: { status: d.status },
      after: { status: "signed_off", note, over_short_cents: d.overShortCents },
    });
    return drawerView(tx, id, signed);
  });
}

/**
 * After a payment of a drawer already closed is reversed (a returned check): its money left the drawer in the
 * deposit, so what the reversing entries took out of the cash drawers account comes back out of bank clearing
 * (Dr cash drawers / Cr bank clearing) and the drawer stays at zero. Called by the reversal, in its transaction,
 * after its reversing entries. The drawer is locked FOR SHARE: a close still running is waited for. Returns the
 * entry's id, or null when there is nothing to move (no drawer, or the drawer still open: its count expects less).
 */
export async function settleDrawerReversal(tx: Ctx, paymentId: number): Promise<number | null> {
  const gl = await drawerAccounts(tx);
  const [row] = await tx.database.rows<{ drawer_id: bigint; status: string; cents: bigint | null }>(
    tx.db,
    sql`SELECT d.id AS drawer_id, d.status,
               (SELECT sum(l.amount_cents) FROM payment_lines AS l
                 WHERE l.payment_id = p.id AND l.status = 'reversed' AND l.gl_account = ${gl.drawers})::int8 AS cents
        FROM payments AS p JOIN cash_drawers AS d ON d.id = p.drawer_id
        WHERE p.id = ${paymentId}
        FOR SHARE OF d`,
  );
  if (!row || row.status === "open" || !row.cents) return null;
  const entry = await postGeneralEntry(tx, {
    description: `Payment ${paymentId} reversed after cash drawer ${row.drawer_id} was deposited: back from the bank`,
    reference: `drawer:${row.drawer_id}:reversal:${paymentId}`,
    postings: [
      { gl_account: gl.drawers, amount_cents: row.cents },
      { gl_account: gl.bank, amount_cents: -row.cents },
    ],
  });
  return entry.entry_id;
}
