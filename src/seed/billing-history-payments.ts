import { type BulkPayment, postPaymentsBulk } from "../modules/payments/index.js";
import type { Ctx } from "../platform/context.js";
import { nextWeekday } from "./bills.js";
import { iso } from "./dates.js";
import { Rng, streamSeed, weighted } from "./random.js";

/**
 * The payments of the billing history (billing-history.ts): what each customer does about each bill the runs issue,
 * posted day by day through the set-based payments path. Most pay in full between mailing and the due date (a quarter
 * by autopay on the due date), some late and some of those in part, about one residential account in ten falls behind
 * by one to six bills, a few overpay and carry a credit; a closed account's final bill is mostly paid, sometimes in
 * part, sometimes never. The mix is the synthetic history's (money.ts).
 */

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
type Way = "phone" | "mail_check" | "drop_box_check" | "counter_check" | "counter_money_order";
const RESIDENTIAL_WAYS = weighted<Way>([
  ["phone", 40],
  ["mail_check", 38],
  ["drop_box_check", 8],
  ["counter_check", 7],
  ["counter_money_order", 7],
]);
const BUSINESS_WAYS = weighted<Way>([
  ["mail_check", 62],
  ["phone", 20],
  ["counter_check", 10],
  ["drop_box_check", 8],
]);

interface Payer {
  habit: Habit;
  /** A customer behind on payments pays nothing billed on or after this day. */
  behindFrom: number | null;
  partial: boolean;
  usual: Way;
  business: boolean;
  closedOn: number | null;
  nextCheck: number;
}

interface Planned {
  actor: string;
  payment: BulkPayment;
}

const dollars = (c: bigint) => (c / 100n) * 100n;
/** The weekday before a day. */
const weekdayBefore = (day: number) => {
  const w = (day + 4) % 7;
  return day - (w === 1 ? 3 : w === 0 ? 2 : 1);
};

// The payments path takes checks, money orders and cash: an autopay debit and a payment by phone are taken from the
// customer's checking account, as a check without a number (an electronic check).
function tenderOf(way: Way | "autopay", rng: Rng, payer: Payer, day: number) {
  const check = () => {
    const n = payer.nextCheck;
    payer.nextCheck += rng.int(1, 3);
    return { type: "check" as const, checkNumber: String(n) };
  };
  switch (way) {
    case "autopay":
      return {
        actor: "autopay",
        channel: "back_office",
        received: day,
        tender: { type: "check" as const },
        note: "Autopay: drawn from the customer's checking account",
      };
    case "phone":
      return {
        actor: "ivr",
        channel: "phone",
        received: day,
        tender: { type: "check" as const },
        note: "Paid by phone from a checking account",
      };
    case "mail_check":
      return {
        actor: "lockbox",
        channel: "mail",
        received: rng.chance(0.5) ? weekdayBefore(day) : day,
        tender: check(),
        note: null,
      };
    case "drop_box_check":
      return {
        actor: "cashier",
        channel: "drop_box",
        received: rng.chance(0.4) ? weekdayBefore(day) : day,
        tender: check(),
        note: null,
      };
    case "counter_check":
      return { actor: "cashier", channel: "counter", received: day, tender: check(), note: null };
    case "counter_money_order":
      return {
        actor: "cashier",
        channel: "counter",
        received: day,
        tender: { type: "money_order" as const, serialNumber: rng.digits(11) },
        note: null,
      };
  }
}

/** A bill a run issued, as the customer sees it. */
export interface IssuedBill {
  id: number;
  accountId: number;
  cycle: number;
  /** The bill date, due date and the period's last day (epoch days). */
  day: number;
  due: number;
  to: number;
  /** What the bill asks for: the balance with it. */
  owed: bigint;
}

export interface PaymentBookOptions {
  seed: number;
  today: number;
  /** Customer class by account. */
  klass: Map<number, string>;
  /** The day a closed account's service stopped. */
  closedOn: Map<number, number>;
  /** The bill days of a cycle's runs, oldest first. */
  billDays(cycle: number): number[];
  /** A context for a day, acting as the named taker of payments. */
  at(day: number, actor: string): Ctx;
}

/** The payments customers make between bills, queued by day until posted. */
export class PaymentBook {
  private readonly payers = new Map<number, Payer>();
  private readonly queue = new Map<number, Planned[]>();

  constructor(private readonly o: PaymentBookOptions) {}

  private payerOf(accountId: number, cycle: number): Payer {
    let payer = this.payers.get(accountId);
    if (payer) return payer;
    const rng = new Rng(streamSeed(this.o.seed, accountId, 21));
    const business = this.o.klass.get(accountId) !== "residential";
    const closedOn = this.o.closedOn.get(accountId) ?? null;
    const habit: Habit =
      closedOn !== null
        ? rng.chance(0.3)
          ? "autopay"
          : "prompt"
        : rng.pickWeighted(business ? BUSINESS_HABITS : RESIDENTIAL_HABITS);
    let behindFrom: number | null = null;
    if (habit === "behind") {
      // The last few bills already due by the business date (due about three weeks after the bill) go unpaid.
      const behind = rng.pickWeighted(BILLS_BEHIND);
      const due = this.o.billDays(cycle).filter((d) => d + 21 < this.o.today);
      behindFrom = due[Math.max(0, due.length - behind)] ?? null;
    }
    payer = {
      habit,
      behindFrom,
      partial: rng.chance(0.45),
      usual: rng.pickWeighted(business ? BUSINESS_WAYS : RESIDENTIAL_WAYS),
      business,
      closedOn,
      nextCheck: rng.int(1001, 4800),
    };
    this.payers.set(accountId, payer);
    return payer;
  }

  /** What the customer does about a bill: pays it (when, how much, how), in part, or not at all. */
  decide(bill: IssuedBill) {
    const payer = this.payerOf(bill.accountId, bill.cycle);
    const rng = new Rng(streamSeed(this.o.seed, bill.accountId, bill.day));
    const statement = bill.owed;
    if (statement <= 0n) return;
    const ways = payer.business ? BUSINESS_WAYS : RESIDENTIAL_WAYS;
    const way = (): Way | "autopay" =>
      payer.habit === "autopay" ? "autopay" : rng.chance(0.75) ? payer.usual : rng.pickWeighted(ways);
    const promptly = () => bill.day + rng.int(4, Math.max(4, bill.due - bill.day - 1));
    const part = (lo: number, hi: number) => dollars((statement * BigInt(rng.int(lo, hi))) / 100n);
    const pay = (day: number, amount: bigint, how: Way | "autopay") => {
      // Mail and the counters work weekdays; a payment by phone on a weekend is posted the next weekday.
      const posted = nextWeekday(day);
      if (posted > this.o.today || amount <= 0n) return;
      const t = tenderOf(how, rng, payer, how === "autopay" || how === "phone" ? day : posted);
      const list = this.queue.get(posted) ?? [];
      list.push({
        actor: t.actor,
        payment: {
          sourceRef: `seed-history:${this.o.seed}:${bill.id}`,
          accountId: bill.accountId,
          amountCents: amount,
          tender: t.tender,
          channel: t.channel,
          receivedOn: iso(t.received),
          note: t.note,
        },
      });
      this.queue.set(posted, list);
    };
    if (payer.closedOn !== null && bill.to >= payer.closedOn) {
      // A final bill: most pay it, some pay part, some never do (a closed-account collection).
      const r = rng.next();
      if (r < 0.75) pay(promptly(), statement, way());
      else if (r < 0.85) pay(promptly(), part(40, 80), way());
    } else if (payer.behindFrom !== null && bill.day >= payer.behindFrom) {
      // Fallen behind: nothing since, but for a part paid once some time after the first due date missed.
      if (bill.day === payer.behindFrom && payer.partial) pay(bill.due + rng.int(3, 28), part(25, 60), way());
    } else if (payer.habit === "autopay") pay(bill.due, statement, "autopay");
    else if (payer.habit === "late") pay(bill.due + rng.int(-3, 8), rng.chance(0.25) ? part(50, 90) : statement, way());
    else if (payer.habit === "overpay") pay(promptly(), ((statement + 2_499n) / 2_500n) * 2_500n + 2_500n, way());
    else pay(promptly(), statement, way());
  }

  /** Posts the payments made before `until`, day by day, each day's in one call per taker. */
  async postBefore(until: number): Promise<{ count: number; cents: bigint }> {
    const out = { count: 0, cents: 0n };
    for (const day of [...this.queue.keys()].filter((d) => d < until).sort((a, b) => a - b)) {
      const byActor = new Map<string, BulkPayment[]>();
      for (const q of this.queue.get(day)!) byActor.set(q.actor, [...(byActor.get(q.actor) ?? []), q.payment]);
      this.queue.delete(day);
      for (const [actor, list] of byActor) {
        await postPaymentsBulk(this.o.at(day, actor), list, {
          action: "seed.history_payments",
          entityType: "seed",
          entityId: `${this.o.seed}:${iso(day)}:${actor}`,
        });
        out.count += list.length;
        out.cents += list.reduce((s, x) => s + x.amountCents, 0n);
      }
    }
    return out;
  }
}
