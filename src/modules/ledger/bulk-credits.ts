import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { badRequest, type FieldError } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { CREDIT_PURPOSE, type GlAccountRow, type PostingAccounts, resolvePostingAccounts } from "./chart.js";
import { CREDIT_KINDS, type CreditKind } from "./inputs.js";
import { assertBalanced } from "./journal.js";
import { clearingOrder, type Match, matchCredits, type OpenItem } from "./matching.js";
import { checkCommon } from "./receivables.js";

// Many credits posted set-based (a lockbox file, a payment batch): a chunk of thousands in four statements whatever
// its size, with exactly the entries, credits, postings and clearings postCredit would write posting them one at a
// time in list order (the same account may come several times: each credit sees the clearings of those before it).
// 1. lock every balance row of the chunk, in ascending account id order, moving each by its credits, and read the
//    GL accounts posted to;
// 2. under the locks, read the accounts' open credits and items, and take the ids of the credits and their entries;
// 3. (only when something is matched) take the ids of the clearing entries;
// 4. write the entries, credits, postings, clearings and what they consume, at once, as arrays.
// The matching in between is the same code as postCredit's (matching.ts), run account by account in list order.

/** A credit of a bulk posting: what CreditInput carries, without directed items (a bulk credit pays oldest due first). */
export interface BulkCreditInput {
  account_id: number;
  kind: CreditKind;
  amount_cents: bigint;
  /** A GL account code; the kind's default when omitted (a payment: bank clearing). */
  gl_debit_account?: string;
  reference: string;
  description?: string;
}

/** One credit of a bulk posting as written. */
export interface BulkCreditPosted {
  account_id: number;
  credit_id: number;
  /** The entry that posted the credit (Dr the debit account / Cr unapplied cash). */
  entry_id: number;
  /** The GL account debited. */
  gl_account: string;
  /** The clearing entry of its matches, when it matched anything. */
  clearing_entry_id: number | null;
  /** What its clearing matched (older unapplied credits of the account may be among them), in order. */
  matches: Match[];
  /** What of this credit was left unapplied once it posted. */
  unapplied_cents: bigint;
  /** The account's cached balance once this credit posted. */
  balance_cents: bigint;
}

export interface BulkCreditOptions {
  /** The name of an input's field in the caller's request (default "N.field"). */
  field?: (index: number, name: string) => string;
}

interface OpenCreditState {
  id: number;
  open_cents: bigint;
  accounting_date: string;
}

interface AccountState {
  credits: OpenCreditState[];
  items: OpenItem[];
}

/** What one credit does, worked out in memory. */
interface Planned {
  creditId: number;
  entryId: number;
  gl: PostingAccounts;
  matches: Match[];
  clearingId: number | null;
  unapplied: bigint;
  balance: bigint;
}

const byDateThenId = (a: OpenCreditState, b: OpenCreditState) =>
  a.accounting_date !== b.accounting_date ? (a.accounting_date < b.accounting_date ? -1 : 1) : a.id - b.id;

function validate(inputs: readonly BulkCreditInput[], field: (i: number, name: string) => string) {
  const errors: FieldError[] = [];
  inputs.forEach((input, i) => {
    for (const e of checkCommon(input)) errors.push({ field: field(i, e.field), message: e.message });
    if (!CREDIT_KINDS.includes(input.kind))
      errors.push({ field: field(i, "kind"), message: "not a known kind of credit" });
  });
  if (errors.length) {
    const shown = errors.slice(0, 20);
    throw badRequest(`not valid: ${shown.map((e) => e.field).join(", ")}${errors.length > 20 ? ", ..." : ""}`, errors);
  }
}

/** Sums per account: [ascending ids, deltas]. */
function perAccount(inputs: readonly BulkCreditInput[]): [number[], bigint[]] {
  const sums = new Map<number, bigint>();
  for (const c of inputs) sums.set(c.account_id, (sums.get(c.account_id) ?? 0n) - c.amount_cents);
  const ids = [...sums.keys()].sort((a, b) => a - b);
  return [ids, ids.map((id) => sums.get(id)!)];
}

/** Step 1: the locks (ascending account id), the balances after the whole chunk, and the chart rows needed. */
async function lockAll(tx: Ctx, inputs: readonly BulkCreditInput[]) {
  const [ids, deltas] = perAccount(inputs);
  const purposes = [...new Set(inputs.map((c) => CREDIT_PURPOSE[c.kind]))];
  const named = [...new Set(inputs.flatMap((c) => (c.gl_debit_account ? [c.gl_debit_account] : [])))];
  const p = sql.param;
  // An upsert in ascending id order: it locks the rows one after the other in that order (creating the missing ones),
  // so chunks posted at once, and single payments (which lock one account at a time, ascending), never wait in a
  // circle.
  const rows = await preparedRows<GlAccountRow & { side: string; account_id: bigint | null; balance: bigint | null }>(
    tx,
    sql`WITH locked AS (
          INSERT INTO account_balances AS b (account_id, balance_cents)
          SELECT v.id, v.delta FROM unnest(${p(ids)}::int8[], ${p(deltas)}::int8[]) AS v(id, delta)
          JOIN accounts AS a ON a.id = v.id
          ORDER BY v.id
          ON CONFLICT (account_id) DO UPDATE SET balance_cents = b.balance_cents + EXCLUDED.balance_cents
          RETURNING b.account_id, b.balance_cents)
        SELECT 'balance' AS side, account_id, balance_cents AS balance, NULL::text AS code, NULL::text AS name,
               NULL::text AS type, NULL::text AS purpose, NULL::text AS subledger, NULL::boolean AS active,
               NULL::int4 AS version
        FROM locked
        UNION ALL
        SELECT 'gl', NULL, NULL, g.code, g.name, g.type, g.purpose, g.subledger, g.active, g.version
        FROM gl_accounts AS g
        WHERE g.purpose IN ('receivables', 'unapplied_cash') OR g.purpose = ANY(${p(purposes)}::text[])
           OR g.code = ANY(${p(named)}::text[])`,
  );
  const balances = new Map<number, bigint>();
  const chart: GlAccountRow[] = [];
  for (const r of rows) {
    if (r.side === "balance") balances.set(Number(r.account_id), r.balance!);
    else chart.push({ ...r, version: Number(r.version) });
  }
  return { balances, chart };
}

/** Step 2: the open credits and items of the accounts, and the ids of n credits and of their n entries. */
async function openStates(tx: Ctx, accountIds: number[], n: number) {
  const rows = await preparedRows<{
    side: "credit" | "item" | "ids";
    account_id: bigint | null;
    id: bigint;
    other_id: bigint | null;
    open_cents: bigint | null;
    due_date: string | null;
    accounting_date: string | null;
    clears_last: boolean | null;
  }>(
    tx,
    sql`SELECT 'credit' AS side, account_id, id, NULL::int8 AS other_id, open_cents, NULL::text AS due_date,
               accounting_date::text AS accounting_date, NULL::boolean AS clears_last
          FROM receivable_credits WHERE account_id = ANY(${sql.param(accountIds)}::int8[]) AND open_cents > 0
        UNION ALL
        SELECT 'item', account_id, id, NULL, open_cents, due_date::text, accounting_date::text, clears_last
          FROM receivable_items WHERE account_id = ANY(${sql.param(accountIds)}::int8[]) AND open_cents > 0
        UNION ALL
        SELECT 'ids', NULL, nextval(pg_get_serial_sequence('journal_entries', 'id')),
               nextval(pg_get_serial_sequence('receivable_credits', 'id')), NULL, NULL, NULL, NULL
          FROM generate_series(1, ${n}::int4)`,
  );
  const states = new Map<number, AccountState>(accountIds.map((id) => [id, { credits: [], items: [] }]));
  const entryIds: number[] = [];
  const creditIds: number[] = [];
  for (const r of rows) {
    if (r.side === "ids") {
      entryIds.push(Number(r.id));
      creditIds.push(Number(r.other_id));
      continue;
    }
    const state = states.get(Number(r.account_id))!;
    if (r.side === "credit") {
      state.credits.push({ id: Number(r.id), open_cents: r.open_cents!, accounting_date: r.accounting_date! });
    } else {
      state.items.push({
        id: Number(r.id),
        open_cents: r.open_cents!,
        due_date: r.due_date,
        accounting_date: r.accounting_date!,
        clears_last: r.clears_last === true,
      });
    }
  }
  // Ascending, so the credits of the chunk are numbered in list order, as one-at-a-time posting would number them.
  entryIds.sort((a, b) => a - b);
  creditIds.sort((a, b) => a - b);
  return { states, entryIds, creditIds };
}

/** Step 3: n more entry ids (the clearings). */
async function takeEntryIds(tx: Ctx, n: number): Promise<number[]> {
  if (n === 0) return [];
  const rows = await preparedRows<{ id: bigint }>(
    tx,
    sql`SELECT nextval(pg_get_serial_sequence('journal_entries', 'id')) AS id FROM generate_series(1, ${n}::int4)`,
  );
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/**
 * Per id: the sum of the deltas, and how many credits' clearings touched it (posted one at a time, each would have
 * bumped the row's version once).
 */
export class Moves {
  readonly sums = new Map<number, { delta: bigint; touches: number }>();
  add(id: number, delta: bigint, newTouch: boolean) {
    const row = this.sums.get(id) ?? { delta: 0n, touches: 0 };
    row.delta += delta;
    if (newTouch) row.touches++;
    this.sums.set(id, row);
  }
}

/**
 * Posts many credits set-based inside the caller's transaction (which must be open: use inTx): the same entries,
 * credits, postings, clearings and balances as postCredit would write for each in list order, without directed
 * items. Each credit is matched with the account's unapplied credits oldest due first. No audit rows: the caller
 * audits the chunk. Returns per input (in order) its ids, matches, unapplied remainder and running balance.
 */
export async function postCreditsBulk(
  tx: Ctx,
  inputs: readonly BulkCreditInput[],
  opts: BulkCreditOptions = {},
): Promise<BulkCreditPosted[]> {
  const field = opts.field ?? ((i: number, name: string) => `${i}.${name}`);
  validate(inputs, field);
  if (inputs.length === 0) return [];
  const { balances, chart } = await lockAll(tx, inputs);
  const missing = inputs.findIndex((c) => !balances.has(c.account_id));
  if (missing >= 0) {
    throw badRequest(`account ${inputs[missing]!.account_id} was not found`, [
      { field: field(missing, "account_id"), message: "no such account" },
    ]);
  }
  const gls = inputs.map((c, i) =>
    resolvePostingAccounts(chart, c.gl_debit_account, CREDIT_PURPOSE[c.kind], field(i, "gl_debit_account")),
  );
  const accountIds = [...balances.keys()];
  const { states, entryIds, creditIds } = await openStates(tx, accountIds, inputs.length);
  const today = tx.clock.today().toString();

  // Each account's balance before the chunk: the locked balance less what the chunk moved it by.
  const running = new Map(balances);
  for (const c of inputs) running.set(c.account_id, running.get(c.account_id)! + c.amount_cents);
  const items = new Moves();
  const oldCredits = new Moves();
  const chunkCredits = new Map<number, { open: bigint; touches: number }>();
  const planned: Planned[] = inputs.map((input, i) => {
    const state = states.get(input.account_id)!;
    const mine: OpenCreditState = { id: creditIds[i]!, open_cents: input.amount_cents, accounting_date: today };
    const matches = matchCredits([...state.credits, mine].sort(byDateThenId), clearingOrder(state.items));
    const openItems = new Map(state.items.map((it) => [it.id, it]));
    const openCredits = new Map(state.credits.map((c) => [c.id, c]));
    const touchedItems = new Set<number>();
    const touchedCredits = new Set<number>();
    let applied = 0n;
    for (const m of matches) {
      const item = openItems.get(m.item_id)!;
      item.open_cents -= m.amount_cents;
      items.add(m.item_id, -m.amount_cents, !touchedItems.has(m.item_id));
      touchedItems.add(m.item_id);
      if (m.credit_id === mine.id) {
        applied += m.amount_cents;
        continue;
      }
      openCredits.get(m.credit_id)!.open_cents -= m.amount_cents;
      const fresh = chunkCredits.get(m.credit_id);
      if (fresh) {
        // A credit of this chunk consumed by a later one: it is written with what is left, its version bumped.
        fresh.open -= m.amount_cents;
        if (!touchedCredits.has(m.credit_id)) fresh.touches++;
      } else {
        oldCredits.add(m.credit_id, -m.amount_cents, !touchedCredits.has(m.credit_id));
      }
      touchedCredits.add(m.credit_id);
    }
    mine.open_cents = input.amount_cents - applied;
    chunkCredits.set(mine.id, { open: mine.open_cents, touches: 0 });
    state.credits = [...state.credits, mine].filter((c) => c.open_cents > 0n);
    state.items = state.items.filter((it) => it.open_cents > 0n);
    const balance = running.get(input.account_id)! - input.amount_cents;
    running.set(input.account_id, balance);
    return {
      creditId: mine.id,
      entryId: entryIds[i]!,
      gl: gls[i]!,
      matches,
      clearingId: null,
      unapplied: mine.open_cents,
      balance,
    };
  });
  const clearingIds = await takeEntryIds(tx, planned.filter((p) => p.matches.length > 0).length);
  let next = 0;
  for (const p of planned) if (p.matches.length > 0) p.clearingId = clearingIds[next++]!;

  await writeAll(tx, inputs, planned, today, { items, oldCredits, chunkCredits });
  return planned.map((p, i) => ({
    account_id: inputs[i]!.account_id,
    credit_id: p.creditId,
    entry_id: p.entryId,
    gl_account: p.gl.counter,
    clearing_entry_id: p.clearingId,
    matches: p.matches,
    unapplied_cents: p.unapplied,
    balance_cents: p.balance,
  }));
}

/** Rows as columns: one array per column, for unnest. */
export class Columns<T extends Record<string, unknown>> {
  readonly rows: T[] = [];
  push(row: T) {
    this.rows.push(row);
  }
  col<K extends keyof T>(k: K) {
    return sql.param(this.rows.map((r) => r[k]));
  }
}

/** Step 4: everything at once, in one statement whose text never changes (prepared once per connection). */
async function writeAll(
  tx: Ctx,
  inputs: readonly BulkCreditInput[],
  planned: Planned[],
  today: string,
  moves: { items: Moves; oldCredits: Moves; chunkCredits: Map<number, { open: bigint; touches: number }> },
) {
  const entries = new Columns<{ id: number; kind: string; account: number; reference: string; description: string }>();
  const credits = new Columns<{
    id: number;
    account: number;
    kind: string;
    original: bigint;
    open: bigint;
    gl: string;
    reference: string;
    description: string;
    entry: number;
    version: number;
  }>();
  const postings = new Columns<{
    entry: number;
    gl: string;
    amount: bigint;
    account: number;
    item: number | null;
    credit: number | null;
  }>();
  const matches = new Columns<{ account: number; item: number; credit: number; amount: bigint; entry: number }>();
  planned.forEach((p, i) => {
    const input = inputs[i]!;
    const account = input.account_id;
    const reference = input.reference;
    const amount = input.amount_cents;
    entries.push({ id: p.entryId, kind: "credit", account, reference, description: input.description ?? input.kind });
    const chunk = moves.chunkCredits.get(p.creditId)!;
    credits.push({
      id: p.creditId,
      account,
      kind: input.kind,
      original: amount,
      open: chunk.open,
      gl: p.gl.counter,
      reference,
      description: input.description ?? "",
      entry: p.entryId,
      version: 1 + chunk.touches,
    });
    const lines = [
      { entry: p.entryId, gl: p.gl.counter, amount, account, item: null, credit: null },
      { entry: p.entryId, gl: p.gl.unapplied, amount: -amount, account, item: null, credit: p.creditId },
    ];
    assertBalanced(lines.map((l) => ({ glAccount: l.gl, amountCents: l.amount })));
    for (const l of lines) postings.push(l);
    if (p.clearingId === null) return;
    const entry = p.clearingId;
    entries.push({ id: entry, kind: "clearing", account, reference, description: "clearing" });
    const clearing = p.matches.flatMap((m) => [
      { entry, gl: p.gl.unapplied, amount: m.amount_cents, account, item: null, credit: m.credit_id },
      { entry, gl: p.gl.receivable, amount: -m.amount_cents, account, item: m.item_id, credit: null },
    ]);
    assertBalanced(clearing.map((l) => ({ glAccount: l.gl, amountCents: l.amount })));
    for (const l of clearing) postings.push(l);
    for (const m of p.matches) {
      matches.push({ account, item: m.item_id, credit: m.credit_id, amount: m.amount_cents, entry });
    }
  });
  const itemMoves = [...moves.items.sums];
  const creditMoves = [...moves.oldCredits.sums];
  const p = sql.param;
  await preparedRows(
    tx,
    sql`WITH
    entries AS (
      INSERT INTO journal_entries (id, kind, accounting_date, account_id, reference, description, actor_name,
                                   request_id)
      SELECT e.id, e.kind, ${today}::date, e.account_id, e.reference, e.description, ${tx.actor.username},
             ${tx.requestId}
      FROM unnest(${entries.col("id")}::int8[], ${entries.col("kind")}::text[], ${entries.col("account")}::int8[],
                  ${entries.col("reference")}::text[], ${entries.col("description")}::text[])
           AS e(id, kind, account_id, reference, description)
      ORDER BY e.id),
    credits AS (
      INSERT INTO receivable_credits (id, account_id, kind, accounting_date, original_cents, open_cents, gl_account,
                                      reference, description, entry_id, version)
      SELECT c.id, c.account_id, c.kind, ${today}::date, c.original_cents, c.open_cents, c.gl_account, c.reference,
             c.description, c.entry_id, c.version
      FROM unnest(${credits.col("id")}::int8[], ${credits.col("account")}::int8[], ${credits.col("kind")}::text[],
                  ${credits.col("original")}::int8[], ${credits.col("open")}::int8[], ${credits.col("gl")}::text[],
                  ${credits.col("reference")}::text[], ${credits.col("description")}::text[],
                  ${credits.col("entry")}::int8[], ${credits.col("version")}::int4[])
           AS c(id, account_id, kind, original_cents, open_cents, gl_account, reference, description, entry_id,
                version)),
    postings AS (
      INSERT INTO journal_postings (entry_id, gl_account, amount_cents, account_id, item_id, credit_id)
      SELECT l.entry_id, l.gl_account, l.amount_cents, l.account_id, l.item_id, l.credit_id
      FROM unnest(${postings.col("entry")}::int8[], ${postings.col("gl")}::text[], ${postings.col("amount")}::int8[],
                  ${postings.col("account")}::int8[], ${postings.col("item")}::int8[],
                  ${postings.col("credit")}::int8[])
           AS l(entry_id, gl_account, amount_cents, account_id, item_id, credit_id)),
    matched AS (
      INSERT INTO receivable_matches (account_id, item_id, credit_id, amount_cents, accounting_date, entry_id)
      SELECT m.account_id, m.item_id, m.credit_id, m.amount_cents, ${today}::date, m.entry_id
      FROM unnest(${matches.col("account")}::int8[], ${matches.col("item")}::int8[], ${matches.col("credit")}::int8[],
                  ${matches.col("amount")}::int8[], ${matches.col("entry")}::int8[])
           AS m(account_id, item_id, credit_id, amount_cents, entry_id)),
    items AS (
      UPDATE receivable_items AS t SET open_cents = t.open_cents + v.delta, version = t.version + v.touches
      FROM unnest(${p(itemMoves.map(([id]) => id))}::int8[], ${p(itemMoves.map(([, m]) => m.delta))}::int8[],
                  ${p(itemMoves.map(([, m]) => m.touches))}::int4[]) AS v(id, delta, touches)
      WHERE t.id = v.id),
    credits_moved AS (
      UPDATE receivable_credits AS t SET open_cents = t.open_cents + v.delta, version = t.version + v.touches
      FROM unnest(${p(creditMoves.map(([id]) => id))}::int8[], ${p(creditMoves.map(([, m]) => m.delta))}::int8[],
                  ${p(creditMoves.map(([, m]) => m.touches))}::int4[]) AS v(id, delta, touches)
      WHERE t.id = v.id)
    SELECT 1 AS done`,
  );
}
