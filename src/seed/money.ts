import { describeTender, REVERSAL_REASONS } from "../modules/payments/index.js";
import { type BillDates, billLines, billSchedule, nextWeekday, usageScale, utilityUsersTax } from "./bills.js";
import { Books, type Charge, type LedgerCodes, type Stamp } from "./books.js";
import { instant, iso, stampAt } from "./dates.js";
import type { ChunkRows } from "./generate.js";
import { type PaymentRecord, type TenderColumns, Wallet, writePayment } from "./instruments.js";
import { type Rng, weighted } from "./random.js";
import type { SeedTable } from "./tables.js";

/**
 * An account's recent money history, ending at the business date: its last few monthly bills as receivable items by
 * category, and the payments that paid them (or did not), posted through Books as the ledger and the payments context
 * would have posted them. Most customers pay on time (a quarter by autopay); some are late, some overpay and carry an
 * unapplied credit, about one active residential account in ten is behind by one to six bills; closed accounts end
 * with a final bill, mostly paid, else still owed or, long after, written off; now and then a check or ACH debit comes
 * back returned and the returned-payment fee is charged.
 */

export interface MoneyOptions {
  gl: LedgerCodes;
  /** The returned-payment fee (the payments setting); 0 charges none. */
  returnedFeeCents: bigint;
  /** Whether payments may come back returned (not when one return would already make an account cash-only). */
  returns: boolean;
  requestId: string | null;
  /** Told each service call the history stands for, in order (tests replay them through the services). */
  trace?: (op: MoneyOp) => void;
}

/** A service call the history stands for: postCharge, takePayment, reversePayment (returned) or postCredit. */
export type MoneyOp = { accountId: number; day: number; actor: string } & (
  | { kind: "charge"; charge: Charge }
  | {
      kind: "payment";
      paymentId: number;
      amount: bigint;
      channel: string;
      received: number;
      tender: TenderColumns;
    }
  | { kind: "return"; paymentId: number; reason: keyof typeof REVERSAL_REASONS }
  | { kind: "credit"; creditKind: string; amount: bigint; reference: string; description: string }
);

/** What the history of one account depends on. */
export interface MoneyAccount {
  id: number;
  number: string;
  klass: string;
  status: string;
  cycle: number;
  opened: number;
  closed: number | null;
  tariff: string;
  /** The tariff before a rate change, billed for periods that ended before it. */
  earlierTariff: { tariff: string; until: number } | null;
  climateZone: number;
  jurisdiction: string;
  discount: { percent: bigint; from: number; to: number | null } | null;
}

type Habit = "autopay" | "prompt" | "late" | "behind" | "overpay";
const RESIDENTIAL_HABITS = weighted<Habit>([
  ["autopay", 24],
  ["prompt", 50],
  ["late", 9],
  ["behind", 13],
  ["overpay", 4],
]);
const BUSINESS_HABITS = weighted<Habit>([
  ["autopay", 35],
  ["prompt", 53],
  ["late", 7],
  ["behind", 4],
  ["overpay", 1],
]);
/** How many due dates a customer who fell behind has let pass unpaid. */
const BILLS_BEHIND = weighted([
  [1, 36],
  [2, 36],
  [3, 18],
  [4, 5],
  [5, 3],
  [6, 2],
]);

type Way = "ivr_card" | "phone_card" | "mail_check" | "drop_box_check" | "counter_check" | "counter_money_order";
const RESIDENTIAL_WAYS = weighted<Way>([
  ["ivr_card", 22],
  ["phone_card", 18],
  ["mail_check", 38],
  ["drop_box_check", 8],
  ["counter_check", 7],
  ["counter_money_order", 7],
]);
const BUSINESS_WAYS = weighted<Way>([
  ["mail_check", 62],
  ["ivr_card", 12],
  ["phone_card", 8],
  ["counter_check", 10],
  ["drop_box_check", 8],
]);

interface Event {
  day: number;
  /** Within a day: the night's bill run, then payments, then returns, then write-offs. */
  order: number;
  seq: number;
  run(): void;
}

const NIGHT = 10 * 60; // 02:00 Pacific, in UTC minutes
const MORNING = 13 * 60;
const LOCKBOX = 17 * 60;
const dollars = (cents: bigint) => (cents / 100n) * 100n;

/** Adds the account's bills, payments and their ledger to the chunk; pending accounts have none yet. */
export function addMoneyHistory(
  out: ChunkRows,
  take: (t: SeedTable) => number,
  today: number,
  opts: MoneyOptions,
  a: MoneyAccount,
  rng: Rng,
) {
  if (a.status === "pending") return;
  const books = new Books(out, take, a.id, opts.gl, opts.requestId);
  const wallet = new Wallet(rng);
  const residential = a.klass === "residential";
  const closing = a.status === "closed";
  const habit: Habit = closing
    ? rng.chance(0.3)
      ? "autopay"
      : "prompt"
    : rng.pickWeighted(residential ? RESIDENTIAL_HABITS : BUSINESS_HABITS);
  const behind = habit === "behind" ? rng.pickWeighted(BILLS_BEHIND) : 0;
  const ways = residential ? RESIDENTIAL_WAYS : BUSINESS_WAYS;
  const usual = rng.pickWeighted(ways);
  const profile = {
    klass: a.klass,
    tariff: a.tariff,
    climateZone: a.climateZone,
    scale: usageScale(rng, a.klass, a.tariff),
    discount: a.discount,
    taxBasisPoints: utilityUsersTax(a.jurisdiction),
    jurisdiction: a.jurisdiction,
  };
  const bills = billSchedule(a.cycle, a.opened, today, 3 + behind, a.closed);
  // The bills a customer behind on payments has not paid: the last `behind` already due, and any not yet due.
  const pastDue = bills.filter((b) => b.dueDay < today);
  const unpaid = new Set(behind ? [...pastDue.slice(-behind), ...bills.filter((b) => b.dueDay >= today)] : []);
  const firstMissed = behind ? pastDue[Math.max(0, pastDue.length - behind)] : undefined;

  const events: Event[] = [];
  let seq = 0;
  const at = (day: number, order: number, run: () => void) => {
    // Bills may go out today (the night's run); payments and the rest happened before today.
    if (day < today || (order === 0 && day <= today)) events.push({ day, order, seq: seq++, run });
  };
  const payments: PaymentRecord[] = [];
  let returned = false;

  /** A payment of `amount` (or of what `amount()` says on the day) by `way`; mail and counters work weekdays. */
  const pay = (day: number, amount: bigint | (() => bigint), way: Way | "autopay") => {
    const byHand = way !== "autopay" && way !== "ivr_card";
    const d = byHand ? nextWeekday(day) : day;
    at(d, 1, () => {
      const cents = typeof amount === "bigint" ? amount : amount();
      if (cents <= 0n) return;
      const p = takePayment(d, cents, way);
      if (
        opts.returns &&
        !returned &&
        p.tender.type !== "card" &&
        p.tender.type !== "money_order" &&
        rng.chance(0.006)
      ) {
        returned = true;
        const back = nextWeekday(d + rng.int(3, 7));
        const reason = p.tender.type === "ach" ? "ach_return" : rng.chance(0.5) ? "returned_check" : "nsf";
        at(back, 2, () => {
          returnPayment(p, back, reason);
          // Most customers then pay what they owe, fee included, in guaranteed funds.
          if (rng.chance(0.8)) {
            pay(back + rng.int(1, 8), () => books.balance, rng.chance(0.7) ? "ivr_card" : "counter_money_order");
          }
        });
      }
    });
  };

  const takePayment = (day: number, amount: bigint, way: Way | "autopay"): PaymentRecord => {
    const id = take("payments");
    const tenderId = take("payment_tenders");
    let channel = "back_office";
    let actor = "autopay";
    let tender: TenderColumns;
    let stamp: string;
    let received = day;
    if (way === "autopay") {
      tender = wallet.bankAccount();
      stamp = stampAt(day, rng, MORNING, 59);
    } else if (way === "ivr_card" || way === "phone_card") {
      channel = "phone";
      actor = way === "ivr_card" ? "ivr" : "csr";
      tender = wallet.savedCard();
      stamp = instant(day, rng);
    } else if (way === "mail_check") {
      channel = "mail";
      actor = "lockbox";
      tender = wallet.check(true);
      stamp = stampAt(day, rng, LOCKBOX, 179);
      if (rng.chance(0.5)) received = day - 1;
    } else {
      channel = way === "drop_box_check" ? "drop_box" : "counter";
      actor = "cashier";
      tender = way === "counter_money_order" ? wallet.moneyOrder() : wallet.check(rng.chance(0.5));
      stamp = instant(day, rng);
      if (way === "drop_box_check" && rng.chance(0.4)) received = day - 1;
    }
    const s: Stamp = { day, at: stamp, actor };
    opts.trace?.({ kind: "payment", accountId: a.id, day, actor, paymentId: id, amount, channel, received, tender });
    const credit = books.credit(
      s,
      "payment",
      amount,
      opts.gl.bank,
      `payment:${id}`,
      `payment ${id}: ${describeTender(tender)}`,
    );
    const p: PaymentRecord = {
      id,
      day,
      received,
      channel,
      takenBy: actor,
      at: stamp,
      tender,
      tenderId,
      lineId: take("payment_lines"),
      credit,
      reversal: null,
    };
    payments.push(p);
    return p;
  };

  // reversePayment for a returned payment: its credit reversed, then the returned-payment fee charged.
  const returnPayment = (p: PaymentRecord, day: number, reason: keyof typeof REVERSAL_REASONS) => {
    const s: Stamp = { day, at: instant(day, rng), actor: "cashier" };
    opts.trace?.({ kind: "return", accountId: a.id, day, actor: s.actor, paymentId: p.id, reason });
    const reversalEntryId = books.reverseCredit(s, p.credit, `payment ${p.id} reversed: ${reason}`);
    let feeItemId: number | null = null;
    if (opts.returnedFeeCents > 0n) {
      feeItemId = books.charge(s, {
        category: "fee",
        amount: opts.returnedFeeCents,
        gl: opts.gl.fees,
        period: null,
        due: null,
        reference: `payment:${p.id}:returned`,
        description: `Returned payment fee (payment ${p.id}, ${REVERSAL_REASONS[reason].label.toLowerCase()})`,
      }).id;
    }
    p.reversal = { reason, day, by: s.actor, feeItemId, reversalEntryId };
  };

  const wayOf = (): Way | "autopay" =>
    habit === "autopay" ? "autopay" : rng.chance(0.75) ? usual : rng.pickWeighted(ways);
  const promptly = (b: BillDates) => b.billDay + rng.int(4, Math.max(4, b.dueDay - b.billDay - 1));

  const postBill = (b: BillDates) => {
    const s: Stamp = { day: b.billDay, at: stampAt(b.billDay, rng, NIGHT, 179), actor: "billing" };
    const reference = `bill:${iso(b.billDay)}`;
    const earlier = a.earlierTariff;
    const priced = earlier && b.to < earlier.until ? { ...profile, tariff: earlier.tariff } : profile;
    for (const line of billLines(rng, priced, b)) {
      const charge: Charge = {
        category: line.category,
        amount: line.cents,
        gl: line.category === "energy" ? opts.gl.energy : line.category === "delivery" ? opts.gl.delivery : opts.gl.tax,
        period: { from: b.from, to: b.to },
        due: b.dueDay,
        reference,
        description: b.final ? `Final bill: ${line.description}` : line.description,
      };
      opts.trace?.({ kind: "charge", accountId: a.id, day: s.day, actor: s.actor, charge });
      books.charge(s, charge);
    }
    // What the bill asks for: everything billed and still open, less unapplied credits.
    const statement = books.amountDue();
    if (statement <= 0n) return;
    if (b.final && closing) {
      const r = rng.next();
      if (r < 0.75) pay(promptly(b), statement, wayOf());
      else if (r < 0.85) pay(promptly(b), dollars((statement * BigInt(rng.int(40, 80))) / 100n), wayOf());
      // What a closed account still owes months after its final bill goes to bad debt.
      const writeOff = nextWeekday(b.dueDay + 150);
      at(writeOff, 3, () => {
        if (books.balance <= 0n) return;
        const s: Stamp = { day: writeOff, at: instant(writeOff, rng), actor: "collector" };
        const reference = `write-off:${a.number}`;
        const description = "Closed account: final bill balance written off to bad debt";
        const amount = books.balance;
        opts.trace?.({
          ...s,
          kind: "credit",
          accountId: a.id,
          creditKind: "write_off",
          amount,
          reference,
          description,
        });
        books.credit(s, "write_off", amount, opts.gl.badDebt, reference, description);
      });
    } else if (unpaid.has(b)) {
      // Some who fall behind pay part of what is owed once, some time after the first due date they missed.
      if (b === firstMissed && rng.chance(0.45)) {
        const share = BigInt(rng.int(25, 60));
        pay(b.dueDay + rng.int(3, 28), () => dollars((books.amountDue() * share) / 100n), wayOf());
      }
    } else if (habit === "autopay") pay(b.dueDay, statement, "autopay");
    else if (habit === "late") pay(b.dueDay + rng.int(-3, 8), statement, wayOf());
    else if (habit === "overpay") pay(promptly(b), ((statement + 2_499n) / 2_500n) * 2_500n + 2_500n, wayOf());
    else pay(promptly(b), statement, wayOf());
  };
  for (const b of bills) at(b.billDay, 0, () => postBill(b));

  while (events.length) {
    let k = 0;
    for (let j = 1; j < events.length; j++) {
      const e = events[j]!;
      const best = events[k]!;
      if (
        e.day < best.day ||
        (e.day === best.day && (e.order < best.order || (e.order === best.order && e.seq < best.seq)))
      )
        k = j;
    }
    events.splice(k, 1)[0]!.run();
  }
  books.flush();
  for (const p of payments) writePayment(out, a.id, opts.gl.bank, p, opts.returnedFeeCents);
}
