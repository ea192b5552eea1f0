import { clearingOrder, matchCredits } from "../modules/ledger/index.js";
import { iso } from "./dates.js";
import type { ChunkRows } from "./generate.js";
import type { SeedTable } from "./tables.js";

/**
 * One account's receivables as the ledger keeps them, replayed in memory so the seed can write in bulk exactly the
 * rows postCharge, postCredit, the clearing run and reverseEntry write one at a time (ADR 0006): the same entry
 * kinds, references and descriptions, postings in the same order with the account and the item or credit on them,
 * matches oldest due first by the ledger's own clearingOrder and matchCredits, open amounts and row versions moved
 * as its UPDATEs move them, and the cached balance.
 */

/** The GL account codes the seed posts to, found by purpose as the services find them. */
export interface LedgerCodes {
  receivable: string;
  unapplied: string;
  energy: string;
  delivery: string;
  tax: string;
  fees: string;
  bank: string;
  badDebt: string;
}

/** When and by whom a posting is made: the business date (epoch day), the instant recorded and the actor's name. */
export interface Stamp {
  day: number;
  at: string;
  actor: string;
}

interface Line {
  gl: string;
  amount: bigint;
  item: number | null;
  credit: number | null;
}

export interface BookItem {
  id: number;
  category: string;
  from: string | null;
  to: string | null;
  due: string | null;
  accounting: string;
  original: bigint;
  open: bigint;
  reference: string;
  description: string;
  entryId: number;
  reversalEntryId: number | null;
  version: number;
}

export interface BookCredit {
  id: number;
  kind: string;
  day: number;
  accounting: string;
  original: bigint;
  open: bigint;
  gl: string;
  reference: string;
  description: string;
  entryId: number;
  reversalEntryId: number | null;
  version: number;
  /** The credit entry's postings, in order (a reversal mirrors them). */
  lines: Line[];
}

interface BookMatch {
  id: number;
  item: BookItem;
  credit: BookCredit;
  amount: bigint;
  accounting: string;
  entryId: number;
  undoneBy: number | null;
}

/** A charge as postCharge takes it. */
export interface Charge {
  category: string;
  amount: bigint;
  /** The GL account credited (revenue, tax, fees). */
  gl: string;
  period: { from: number; to: number } | null;
  due: number | null;
  reference: string;
  description: string;
}

export class Books {
  readonly items: BookItem[] = [];
  readonly credits: BookCredit[] = [];
  private readonly matches: BookMatch[] = [];
  balance = 0n;

  constructor(
    private readonly out: ChunkRows,
    private readonly take: (t: SeedTable) => number,
    private readonly accountId: number,
    private readonly gl: LedgerCodes,
    private readonly requestId: string | null,
  ) {}

  private entry(kind: string, s: Stamp, reference: string, description: string, reverses: number | null = null) {
    const id = this.take("journal_entries");
    this.out.journal_entries.add(
      id,
      kind,
      iso(s.day),
      s.at,
      this.accountId,
      reference,
      description,
      reverses,
      s.actor,
      this.requestId,
    );
    return id;
  }

  private post(entryId: number, lines: Line[]) {
    for (const l of lines) {
      this.out.journal_postings.add(
        this.take("journal_postings"),
        entryId,
        l.gl,
        this.accountId,
        l.item,
        l.credit,
        l.amount,
      );
    }
  }

  /** postCharge: Dr receivables (the item) / Cr the charge's account, then the clearing run. */
  charge(s: Stamp, c: Charge): BookItem {
    const entryId = this.entry("charge", s, c.reference, c.description);
    const item: BookItem = {
      id: this.take("receivable_items"),
      category: c.category,
      from: c.period ? iso(c.period.from) : null,
      to: c.period ? iso(c.period.to) : null,
      due: c.due === null ? null : iso(c.due),
      accounting: iso(s.day),
      original: c.amount,
      open: c.amount,
      reference: c.reference,
      description: c.description,
      entryId,
      reversalEntryId: null,
      version: 1,
    };
    this.items.push(item);
    this.post(entryId, [
      { gl: this.gl.receivable, amount: c.amount, item: item.id, credit: null },
      { gl: c.gl, amount: -c.amount, item: null, credit: null },
    ]);
    this.balance += c.amount;
    this.clear(s, c.reference);
    return item;
  }

  /** postCredit (undirected): Dr the debit account / Cr unapplied cash (the credit), then the clearing run. */
  credit(s: Stamp, kind: string, amount: bigint, gl: string, reference: string, description: string): BookCredit {
    const entryId = this.entry("credit", s, reference, description);
    const id = this.take("receivable_credits");
    const lines: Line[] = [
      { gl, amount, item: null, credit: null },
      { gl: this.gl.unapplied, amount: -amount, item: null, credit: id },
    ];
    const credit: BookCredit = {
      id,
      kind,
      day: s.day,
      accounting: iso(s.day),
      original: amount,
      open: amount,
      gl,
      reference,
      description,
      entryId,
      reversalEntryId: null,
      version: 1,
      lines,
    };
    this.credits.push(credit);
    this.post(entryId, lines);
    this.balance -= amount;
    // postCredit writes the new credit already matched (its version stays 1); older ones it joins are updated.
    this.clear(s, reference, credit);
    return credit;
  }

  /**
   * The clearing run: unapplied credits, oldest first, consume open items, oldest due first; one clearing entry.
   * `fresh`: a credit posted with this clearing, written as it ends (not moved by an UPDATE).
   */
  private clear(s: Stamp, reference: string, fresh?: BookCredit) {
    // Most runs (after a charge) find no unapplied credit: leave before building anything.
    if (!this.credits.some((c) => c.open > 0n)) return;
    const credits = this.credits
      .filter((c) => c.open > 0n)
      .sort((a, b) => (a.day !== b.day ? a.day - b.day : a.id - b.id));
    if (credits.length === 0) return;
    const byId = new Map<number, BookItem>();
    const open = [];
    for (const i of this.items) {
      if (i.open <= 0n) continue;
      byId.set(i.id, i);
      open.push({ id: i.id, open_cents: i.open, due_date: i.due, accounting_date: i.accounting });
    }
    const matched = matchCredits(
      credits.map((c) => ({ id: c.id, open_cents: c.open })),
      clearingOrder(open),
    );
    if (matched.length === 0) return;
    const entryId = this.entry("clearing", s, reference, "clearing");
    const creditOf = new Map(credits.map((c) => [c.id, c]));
    const made = matched.map(
      (m): BookMatch => ({
        id: this.take("receivable_matches"),
        item: byId.get(m.item_id)!,
        credit: creditOf.get(m.credit_id)!,
        amount: m.amount_cents,
        accounting: iso(s.day),
        entryId,
        undoneBy: null,
      }),
    );
    this.matches.push(...made);
    this.post(
      entryId,
      made.flatMap((m) => [
        { gl: this.gl.unapplied, amount: m.amount, item: null, credit: m.credit.id },
        { gl: this.gl.receivable, amount: -m.amount, item: m.item.id, credit: null },
      ]),
    );
    moveOpen(made, -1n, fresh);
  }

  /**
   * reverseEntry of a credit: a reset entry undoes its clearings, the mirror entry takes it back, then the clearing
   * run lets other credits pay what it had paid. Returns the reversal entry's id.
   */
  reverseCredit(s: Stamp, credit: BookCredit, reason: string): number {
    const reference = `reversal:${credit.entryId}`;
    const active = this.matches.filter((m) => m.credit === credit && m.undoneBy === null);
    if (active.length) {
      const resetId = this.entry("reset", s, reference, "reset clearing");
      this.post(
        resetId,
        active.flatMap((m) => [
          { gl: this.gl.receivable, amount: m.amount, item: m.item.id, credit: null },
          { gl: this.gl.unapplied, amount: -m.amount, item: null, credit: m.credit.id },
        ]),
      );
      for (const m of active) m.undoneBy = resetId;
      moveOpen(active, 1n);
    }
    const reversalId = this.entry("reversal", s, credit.reference, reason, credit.entryId);
    this.post(
      reversalId,
      credit.lines.map((l) => ({ ...l, amount: -l.amount })),
    );
    credit.open = 0n;
    credit.reversalEntryId = reversalId;
    credit.version += 1;
    this.balance += credit.original;
    this.clear(s, reference);
    return reversalId;
  }

  /** Open items with a due date less unapplied credits: what the customer is asked to pay now. */
  amountDue(): bigint {
    let due = 0n;
    for (const i of this.items) if (i.due !== null) due += i.open;
    for (const c of this.credits) due -= c.open;
    return due;
  }

  /** Writes the items, credits, matches and cached balance as they stand at the end of the history. */
  flush() {
    const { out, accountId } = this;
    if (this.items.length === 0 && this.credits.length === 0) return;
    for (const i of this.items) {
      out.receivable_items.add(
        i.id,
        accountId,
        i.category,
        i.from,
        i.to,
        i.due,
        i.accounting,
        i.original,
        i.open,
        i.reference,
        i.description,
        i.entryId,
        i.reversalEntryId,
        i.version,
      );
    }
    for (const c of this.credits) {
      out.receivable_credits.add(
        c.id,
        accountId,
        c.kind,
        c.accounting,
        c.original,
        c.open,
        c.gl,
        c.reference,
        c.description,
        c.entryId,
        c.reversalEntryId,
        c.version,
      );
    }
    for (const m of this.matches) {
      out.receivable_matches.add(
        m.id,
        accountId,
        m.item.id,
        m.credit.id,
        m.amount,
        m.accounting,
        m.entryId,
        m.undoneBy,
      );
    }
    out.account_balances.add(accountId, this.balance);
  }
}

/**
 * The ledger's moveOpen: each item and credit named moves by its matched total (-1: matched, +1: a reset gives it
 * back), and its version once, as one UPDATE per table moves it.
 */
function moveOpen(matches: BookMatch[], sign: bigint, fresh?: BookCredit) {
  const items = new Set<BookItem>();
  const credits = new Set<BookCredit>();
  for (const m of matches) {
    m.item.open += sign * m.amount;
    m.credit.open += sign * m.amount;
    items.add(m.item);
    credits.add(m.credit);
  }
  for (const i of items) i.version += 1;
  for (const c of credits) if (c !== fresh) c.version += 1;
}
