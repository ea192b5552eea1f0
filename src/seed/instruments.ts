import type { BookCredit } from "./books.js";
import { iso } from "./dates.js";
import type { ChunkRows } from "./generate.js";
import type { Rng } from "./random.js";
import { weighted } from "./random.js";

/**
 * The ways a seeded customer pays, stored as the payments context stores a tender: a check's number (and the MICR
 * last fours a lockbox reads), a money order's serial, a card or bank account as a processor token and its last four
 * only. Tokens never hold a run of more than three digits, so nothing in them can look like a card number. And the
 * rows a payment leaves: the payment, its tender and its share on the account.
 */

export type TenderType = "check" | "money_order" | "card" | "ach";

/** The tender columns of payment_tenders (as the payments context's tenderColumns fills them). */
export interface TenderColumns {
  type: TenderType;
  checkNumber: string | null;
  serialNumber: string | null;
  processorToken: string | null;
  brand: string | null;
  last4: string | null;
  routingLast4: string | null;
}

const BRANDS = weighted([
  ["visa", 52],
  ["mastercard", 28],
  ["amex", 12],
  ["discover", 8],
] as const);

const LETTERS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
const MIXED = `${LETTERS}23456789`;

/** A processor's token: every fourth character a letter. */
function token(rng: Rng, prefix: string): string {
  let s = prefix;
  for (let i = 0; i < 20; i++) {
    const from = i % 4 === 3 ? LETTERS : MIXED;
    s += from[Math.floor(rng.next() * from.length)];
  }
  return s;
}

const none = {
  checkNumber: null,
  serialNumber: null,
  processorToken: null,
  brand: null,
  last4: null,
  routingLast4: null,
};

/** A customer's means of payment: a checkbook, a saved card, a bank account on autopay. Kept per account. */
export class Wallet {
  private nextCheck: number;
  private card: TenderColumns | null = null;
  private bank: TenderColumns | null = null;
  private readonly routing: string;
  private readonly account: string;

  constructor(private readonly rng: Rng) {
    this.nextCheck = rng.int(1001, 4800);
    this.routing = rng.digits(4);
    this.account = rng.digits(4);
  }

  /** A personal or business check; `micr`: the bank's routing and account last fours were read from it. */
  check(micr: boolean): TenderColumns {
    const number = String(this.nextCheck);
    this.nextCheck += this.rng.int(1, 3);
    return {
      ...none,
      type: "check",
      checkNumber: number,
      last4: micr ? this.account : null,
      routingLast4: micr ? this.routing : null,
    };
  }

  moneyOrder(): TenderColumns {
    return { ...none, type: "money_order", serialNumber: this.rng.digits(11) };
  }

  /** The customer's saved card (the same token every time). */
  savedCard(): TenderColumns {
    this.card ??= {
      ...none,
      type: "card",
      processorToken: token(this.rng, "tok_"),
      brand: this.rng.pickWeighted(BRANDS),
      last4: this.rng.digits(4),
    };
    return this.card;
  }

  /** The bank account the customer pays from by ACH. */
  bankAccount(): TenderColumns {
    this.bank ??= {
      ...none,
      type: "ach",
      processorToken: token(this.rng, "ba_"),
      last4: this.account,
      routingLast4: this.routing,
    };
    return this.bank;
  }
}

/** A payment of the history: one tender, one share on the account (one ledger credit), maybe returned. */
export interface PaymentRecord {
  id: number;
  day: number;
  received: number;
  channel: string;
  takenBy: string;
  at: string;
  tender: TenderColumns;
  tenderId: number;
  lineId: number;
  credit: BookCredit;
  reversal: { reason: string; day: number; by: string; feeItemId: number | null; reversalEntryId: number } | null;
}

/** The payment, its tender and its share on the account, as takePayment (and reversePayment) leave them. */
export function writePayment(out: ChunkRows, accountId: number, bank: string, p: PaymentRecord, fee: bigint) {
  const r = p.reversal;
  const amount = p.credit.original;
  out.payments.add(
    p.id,
    iso(p.day),
    iso(p.received),
    p.channel,
    amount,
    null,
    p.takenBy,
    null,
    r ? "reversed" : "posted",
    r?.reason ?? null,
    null,
    r ? iso(r.day) : null,
    r?.by ?? null,
    r !== null,
    r?.feeItemId ?? null,
    r?.feeItemId ? fee : null,
    p.at,
    r ? 2 : 1,
  );
  const t = p.tender;
  out.payment_tenders.add(
    p.tenderId,
    p.id,
    0,
    t.type,
    amount,
    bank,
    t.checkNumber,
    t.serialNumber,
    t.processorToken,
    t.brand,
    t.last4,
    t.routingLast4,
  );
  out.payment_lines.add(
    p.lineId,
    p.id,
    accountId,
    amount,
    bank,
    null,
    p.credit.id,
    p.credit.entryId,
    r ? "reversed" : "posted",
    null,
    null,
    r?.reversalEntryId ?? null,
  );
}
