import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { centsToDecimal } from "../core/money.js";
import { listUsers, permissionsOf } from "../modules/identity/index.js";
import {
  addBatchRow,
  closeDrawer,
  createBatch,
  openDrawer,
  postBatch,
  signOffDrawer,
  takePayment,
} from "../modules/payments/index.js";
import type { Actor, Ctx } from "../platform/context.js";
import { Rng } from "./random.js";

/** What the demo's day at the counter and in the back office left behind. */
export interface CashieringDay {
  drawers: number;
  counter_payments: number;
  batches: number;
  batch_payments: number;
  /** A lockbox file written for the demo to import (it is not imported). */
  lockbox_file: string;
  lockbox_payments: number;
}

interface Payer {
  id: number;
  number: string;
  owed: bigint;
  name: string;
}

/** A demo user as the actor of a service call (the demo users are named after their roles). */
async function demoActor(ctx: Ctx, username: string): Promise<Ctx> {
  const user = (await listUsers(ctx.db)).find((u) => u.username === username);
  if (!user) throw new Error(`the demo user ${username} is missing`);
  const actor: Actor = {
    userId: user.id,
    username: user.username,
    roles: user.roles,
    permissions: permissionsOf(user.roles),
    via: "system",
  };
  return { ...ctx, actor, requestId: `seed:${username}` };
}

/** Accounts that owe something, with their customer's name, in a stable order. */
async function payers(ctx: Ctx, limit: number): Promise<Payer[]> {
  const rows = await ctx.database.rows<{ id: bigint; account_number: string; owed: bigint; name: string }>(
    ctx.db,
    sql`SELECT a.id, a.account_number, b.balance_cents AS owed, p.display_name AS name
        FROM accounts AS a
        JOIN account_balances AS b ON b.account_id = a.id
        JOIN parties AS p ON p.id = a.main_party_id
        WHERE a.status = 'active' AND b.balance_cents > 1000
        ORDER BY a.id LIMIT ${limit}`,
  );
  return rows.map((r) => ({ id: Number(r.id), number: r.account_number, owed: r.owed, name: r.name }));
}

/** A payment's amount: the whole balance, or a round part of it. */
const amountFor = (p: Payer, rnd: () => number): bigint =>
  rnd() < 0.6 ? p.owed : BigInt(Math.max(1000, Math.round((Number(p.owed) * (0.3 + rnd() * 0.5)) / 100) * 100));

/**
 * The demo's day of cashiering, made through the services a cashier and a supervisor use: the cashier's drawer
 * (cash and checks taken, closed $2.00 short, signed off), the lead's drawer closed and waiting for sign-off, a posted
 * 10-key batch and one half keyed, and a lockbox file in the data dir for the demo to import.
 */
export async function seedCashieringDay(ctx: Ctx, dataDir: string): Promise<CashieringDay> {
  const rng = new Rng(20_260_302);
  const rnd = () => rng.next();
  const all = await payers(ctx, 80);
  if (all.length < 40) throw new Error("the demo needs at least 40 accounts that owe something");
  const [cashier, lead, supervisor] = await Promise.all(
    ["cashier", "lead", "supervisor"].map((u) => demoActor(ctx, u)),
  );
  const take = (as: Ctx, p: Payer, i: number) => {
    const amount = Number(amountFor(p, rnd));
    const tender =
      i % 3 === 2
        ? { type: "check" as const, check_number: String(3000 + i) }
        : i % 5 === 4
          ? { type: "money_order" as const, serial_number: `MO${70_000 + i}` }
          : { type: "cash" as const };
    return takePayment(as, { account_id: p.id, amount_cents: amount, tender, channel: "counter" });
  };

  // The cashier's drawer: eight counter payments, counted $2.00 short in cash, signed off.
  const own = await openDrawer(cashier!, { location: "Main office counter", float_cents: 15_000 });
  const counter = all.slice(0, 8);
  for (const [i, p] of counter.entries()) await take(cashier!, p, i);
  const counted = async (as: Ctx, id: number, shortCents: bigint) => {
    const [row] = await ctx.database.rows<{ cash: bigint; check: bigint; money_order: bigint }>(
      ctx.db,
      sql`SELECT coalesce(sum(t.amount_cents) FILTER (WHERE t.type = 'cash'), 0)::int8 AS cash,
                 coalesce(sum(t.amount_cents) FILTER (WHERE t.type = 'check'), 0)::int8 AS check,
                 coalesce(sum(t.amount_cents) FILTER (WHERE t.type = 'money_order'), 0)::int8 AS money_order
          FROM payments AS p JOIN payment_tenders AS t ON t.payment_id = p.id
          WHERE p.drawer_id = ${id} AND p.status = 'posted'`,
    );
    const [drawer] = await ctx.database.rows<{ float_cents: bigint }>(
      ctx.db,
      sql`SELECT float_cents FROM cash_drawers WHERE id = ${id}`,
    );
    return closeDrawer(as, id, {
      counts: {
        cash: { counted_cents: Number(drawer!.float_cents + row!.cash - shortCents) },
        check: { counted_cents: Number(row!.check) },
        money_order: { counted_cents: Number(row!.money_order) },
      },
      note: shortCents ? `Short ${centsToDecimal(shortCents)}: change given twice at the window` : undefined,
    });
  };
  await counted(cashier!, own.id, 200n);
  await signOffDrawer(supervisor!, own.id, { note: "Recounted with the cashier; shortage stands" });

  // The lead covered the window at lunch: four payments, balanced, waiting for the supervisor's sign-off.
  const lunch = await openDrawer(lead!, { location: "Main office counter 2", float_cents: 10_000 });
  const lunchPayers = all.slice(8, 12);
  for (const [i, p] of lunchPayers.entries()) await take(lead!, p, i);
  await counted(lead!, lunch.id, 0n);

  // The morning mail: a posted batch of six checks, and the afternoon's stack half keyed.
  const mail = all.slice(12, 18).map((p) => ({ p, amount: amountFor(p, rnd) }));
  const posted = await createBatch(cashier!, {
    control_count: mail.length,
    control_total_cents: Number(mail.reduce((s, m) => s + m.amount, 0n)),
    tender_type: "check",
    label: "Morning mail",
  });
  for (const [i, m] of mail.entries()) {
    await addBatchRow(cashier!, posted.id, {
      account_number: m.p.number,
      amount_cents: Number(m.amount),
      check_number: String(5100 + i),
    });
  }
  await postBatch(cashier!, posted.id);
  const afternoon = all.slice(18, 22).map((p) => ({ p, amount: amountFor(p, rnd) }));
  const open = await createBatch(cashier!, {
    control_count: afternoon.length,
    control_total_cents: Number(afternoon.reduce((s, m) => s + m.amount, 0n)),
    tender_type: "check",
    label: "Afternoon mail (being keyed)",
  });
  for (const [i, m] of afternoon.slice(0, 2).entries()) {
    await addBatchRow(cashier!, open.id, {
      account_number: m.p.number,
      amount_cents: Number(m.amount),
      check_number: String(6200 + i),
    });
  }

  // Tomorrow's lockbox file from the bank: matched payments, one stub with two digits swapped, one without a stub.
  const today = ctx.clock.today().toString();
  const lines = ["deposit_date,batch,item,account_number,amount,check_number,remitter"];
  const box = all.slice(22, 40);
  box.forEach((p, i) => {
    let number = p.number;
    if (i === 3) {
      // Two adjacent digits that differ, swapped as a tired eye reads them.
      const at = [...number].findIndex((d, k) => k > 0 && d !== number[k - 1]);
      number = number.slice(0, at - 1) + number[at] + number[at - 1] + number.slice(at + 1);
    }
    if (i === 7) number = "";
    const remitter = p.name.toUpperCase().replaceAll('"', "");
    lines.push(`${today},001,${i + 1},${number},${centsToDecimal(amountFor(p, rnd))},${8100 + i},"${remitter}"`);
  });
  const dir = path.join(dataDir, "lockbox");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `demo-lockbox-${today}.csv`);
  writeFileSync(file, `${lines.join("\n")}\n`);

  return {
    drawers: 2,
    counter_payments: counter.length + lunchPayers.length,
    batches: 2,
    batch_payments: mail.length,
    lockbox_file: file,
    lockbox_payments: box.length,
  };
}
