import { type SQL, sql } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, notFound, ruleRefused } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { CREDIT_PURPOSE, type GlAccountRow, type PostingAccounts, resolvePostingAccounts } from "./chart.js";
import { type CreditRow, lockBalanceStatement, matchView } from "./clearing.js";
import { CREDIT_KINDS, type CreditInput } from "./inputs.js";
import { assertBalanced, type PostingLine } from "./journal.js";
import { clearingOrder, type Match, matchCredits, type OpenItem } from "./matching.js";
import { type CreditPosted, checkCommon, creditView, refuseIf } from "./receivables.js";

// A credit is posted in three statements whatever it matches (a payment is the busiest write of a utility):
// 1. lock the account's balance row and move it, reading the GL accounts it posts to;
// 2. after the lock, read the account's open credits and items (or the directed items) and take the ids the new
//    entries and credit will have;
// 3. write the entries, the credit, the postings, the clearings and the items and credits they consume, at once.
// What is written is what postCharge's clearing run writes row by row: the rule (matching.ts) is the same code.

interface OpenRow {
  side: "credit" | "item" | "ids";
  id: bigint;
  open_cents: bigint | null;
  due_date: string | null;
  accounting_date: string | null;
  /** On the "ids" row: the credit's id and the clearing entry's (null when nothing can be matched). */
  credit_id: bigint | null;
  clearing_id: bigint | null;
  clears_last: boolean | null;
}

/** Step 1: the lock and the balance moved by `delta`, and the GL accounts of the posting (404 without the account). */
async function lockAndResolve(tx: Ctx, input: CreditInput, delta: bigint) {
  const purpose = CREDIT_PURPOSE[input.kind];
  const named = input.gl_debit_account ?? null;
  const rows = await preparedRows<GlAccountRow & { balance: bigint | null }>(
    tx,
    sql`WITH locked AS (${lockBalanceStatement(input.account_id, delta)})
        SELECT l.balance_cents AS balance, g.code, g.name, g.type, g.purpose, g.subledger, g.active, g.version
        FROM (SELECT 1) AS one
        LEFT JOIN locked AS l ON true
        LEFT JOIN gl_accounts AS g ON g.purpose IN ('receivables', 'unapplied_cash', ${purpose}) OR g.code = ${named}`,
  );
  const balance = rows[0]?.balance ?? null;
  if (balance === null) throw notFound(`account ${input.account_id}`, "account_id");
  const chart = rows.filter((r) => r.code !== null);
  return { balance, gl: resolvePostingAccounts(chart, input.gl_debit_account, purpose, "gl_debit_account") };
}

/**
 * Step 2, under the lock: the account's open credits and items (or only the directed items, open or not), and the
 * ids of the credit, its entry and, when something can be matched, the clearing entry.
 */
async function openState(tx: Ctx, accountId: number, directed: number[] | undefined) {
  const items: SQL = directed
    ? sql`account_id = ${accountId}::int8 AND id = ANY(${sql.param(directed)}::int8[])`
    : sql`account_id = ${accountId}::int8 AND open_cents > 0`;
  const rows = await preparedRows<OpenRow>(
    tx,
    sql`SELECT 'credit' AS side, id, open_cents, NULL::text AS due_date, accounting_date::text AS accounting_date,
               NULL::int8 AS credit_id, NULL::int8 AS clearing_id, NULL::boolean AS clears_last
          FROM receivable_credits WHERE ${directed ? sql`false` : sql`account_id = ${accountId}::int8 AND open_cents > 0`}
        UNION ALL
        SELECT 'item', id, open_cents, due_date::text, accounting_date::text, NULL, NULL, clears_last
          FROM receivable_items WHERE ${items}
        UNION ALL
        SELECT 'ids', ids.entry_id, NULL, NULL, NULL, ids.credit_id,
               CASE WHEN EXISTS (SELECT 1 FROM receivable_items WHERE ${items} AND open_cents > 0)
                    THEN nextval(pg_get_serial_sequence('journal_entries', 'id')) END, NULL
          FROM (SELECT nextval(pg_get_serial_sequence('journal_entries', 'id')) AS entry_id,
                       nextval(pg_get_serial_sequence('receivable_credits', 'id')) AS credit_id) AS ids`,
  );
  const ids = rows.find((r) => r.side === "ids")!;
  const credits = rows
    .filter((r) => r.side === "credit")
    .map((r) => ({ id: Number(r.id), open_cents: r.open_cents!, accounting_date: r.accounting_date! }));
  const open: OpenItem[] = rows
    .filter((r) => r.side === "item")
    .map((r) => ({
      id: Number(r.id),
      open_cents: r.open_cents!,
      due_date: r.due_date,
      accounting_date: r.accounting_date!,
      clears_last: r.clears_last === true,
    }));
  return {
    entryId: Number(ids.id),
    creditId: Number(ids.credit_id),
    clearingId: ids.clearing_id === null ? null : Number(ids.clearing_id),
    credits,
    items: open,
  };
}

/** The directed items: each once, on this account, still open; in the order given. */
function directedItems(accountId: number, ids: number[], found: OpenItem[]): OpenItem[] {
  if (new Set(ids).size !== ids.length) {
    throw badRequest("an item is named twice", [{ field: "directed_item_ids", message: "duplicates" }]);
  }
  const byId = new Map(found.map((r) => [r.id, r]));
  return ids.map((id, i) => {
    const row = byId.get(id);
    if (!row) {
      throw badRequest(`item ${id} is not on account ${accountId}`, [
        { field: `directed_item_ids.${i}`, message: "not an item of this account" },
      ]);
    }
    if (row.open_cents === 0n) {
      throw ruleRefused("ledger.item_not_open", `item ${id} has nothing left open`, {
        errors: [{ field: `directed_item_ids.${i}`, message: "not open" }],
      });
    }
    return row;
  });
}

/** Per id, the sum of the amounts given: [ids, deltas], so one UPDATE changes each row once. */
function deltas(pairs: [number, bigint][]): [number[], bigint[]] {
  const sums = new Map<number, bigint>();
  for (const [id, amount] of pairs) sums.set(id, (sums.get(id) ?? 0n) + amount);
  return [[...sums.keys()], [...sums.values()]];
}

interface CreditWrite {
  tx: Ctx;
  input: CreditInput;
  gl: PostingAccounts;
  entryId: number;
  clearingId: number | null;
  credit: CreditRow;
  matches: Match[];
}

/**
 * Step 3: the entries, the credit, their postings, the clearings and what they consume, in one statement whose text
 * is the same whatever it writes (rows go as arrays), so it is prepared once per connection.
 */
async function writeCredit({ tx, input, gl, entryId, clearingId, credit, matches }: CreditWrite) {
  const accountId = input.account_id;
  const lines: (PostingLine & { entryId: number })[] = [
    { entryId, glAccount: gl.counter, amountCents: input.amount_cents, accountId },
    { entryId, glAccount: gl.unapplied, amountCents: -input.amount_cents, accountId, creditId: credit.id },
  ];
  assertBalanced(lines);
  const entries = [{ id: entryId, kind: "credit", description: input.description ?? input.kind }];
  if (matches.length) {
    if (clearingId === null) throw new Error("a clearing without its entry id");
    const clearing = matches.flatMap((m) => [
      { entryId: clearingId, glAccount: gl.unapplied, amountCents: m.amount_cents, accountId, creditId: m.credit_id },
      { entryId: clearingId, glAccount: gl.receivable, amountCents: -m.amount_cents, accountId, itemId: m.item_id },
    ]);
    assertBalanced(clearing);
    lines.push(...clearing);
    entries.push({ id: clearingId, kind: "clearing", description: "clearing" });
  }
  const [itemIds, itemDeltas] = deltas(matches.map((m) => [m.item_id, -m.amount_cents]));
  // The new credit is written already matched; older unapplied credits it joined in the clearing are updated.
  const [creditIds, creditDeltas] = deltas(
    matches.filter((m) => m.credit_id !== credit.id).map((m) => [m.credit_id, -m.amount_cents]),
  );
  const today = credit.accountingDate;
  const p = sql.param;
  const rows = await preparedRows<{
    id: bigint;
    account_id: bigint;
    item_id: bigint;
    credit_id: bigint;
    amount_cents: bigint;
    accounting_date: string;
    entry_id: bigint;
    undone_by_entry_id: bigint | null;
  }>(
    tx,
    sql`WITH
    entries AS (
      INSERT INTO journal_entries (id, kind, accounting_date, account_id, reference, description, actor_name,
                                   request_id)
      SELECT e.id, e.kind, ${today}::date, ${accountId}::int8, ${input.reference}, e.description,
             ${tx.actor.username}, ${tx.requestId}
      FROM unnest(${p(entries.map((e) => e.id))}::int8[], ${p(entries.map((e) => e.kind))}::text[],
                  ${p(entries.map((e) => e.description))}::text[]) AS e(id, kind, description)),
    credit AS (
      INSERT INTO receivable_credits (id, account_id, kind, accounting_date, original_cents, open_cents, gl_account,
                                      reference, description, entry_id)
      VALUES (${credit.id}::int8, ${accountId}::int8, ${credit.kind}, ${today}::date, ${credit.originalCents}::int8,
              ${credit.openCents}::int8, ${credit.glAccount}, ${credit.reference}, ${credit.description},
              ${entryId}::int8)),
    postings AS (
      INSERT INTO journal_postings (entry_id, gl_account, amount_cents, account_id, item_id, credit_id)
      SELECT l.entry_id, l.gl_account, l.amount_cents, ${accountId}::int8, l.item_id, l.credit_id
      FROM unnest(${p(lines.map((l) => l.entryId))}::int8[], ${p(lines.map((l) => l.glAccount))}::text[],
                  ${p(lines.map((l) => l.amountCents))}::int8[], ${p(lines.map((l) => l.itemId ?? null))}::int8[],
                  ${p(lines.map((l) => l.creditId ?? null))}::int8[])
           AS l(entry_id, gl_account, amount_cents, item_id, credit_id)),
    matched AS (
      INSERT INTO receivable_matches (account_id, item_id, credit_id, amount_cents, accounting_date, entry_id)
      SELECT ${accountId}::int8, m.item_id, m.credit_id, m.amount_cents, ${today}::date, ${clearingId}::int8
      FROM unnest(${p(matches.map((m) => m.item_id))}::int8[], ${p(matches.map((m) => m.credit_id))}::int8[],
                  ${p(matches.map((m) => m.amount_cents))}::int8[]) AS m(item_id, credit_id, amount_cents)
      RETURNING *),
    items AS (
      UPDATE receivable_items AS t SET open_cents = t.open_cents + v.delta, version = t.version + 1
      FROM unnest(${p(itemIds)}::int8[], ${p(itemDeltas)}::int8[]) AS v(id, delta) WHERE t.id = v.id),
    credits AS (
      UPDATE receivable_credits AS t SET open_cents = t.open_cents + v.delta, version = t.version + 1
      FROM unnest(${p(creditIds)}::int8[], ${p(creditDeltas)}::int8[]) AS v(id, delta) WHERE t.id = v.id)
    SELECT id, account_id, item_id, credit_id, amount_cents, accounting_date, entry_id, undone_by_entry_id
    FROM matched ORDER BY id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    accountId: Number(r.account_id),
    itemId: Number(r.item_id),
    creditId: Number(r.credit_id),
    amountCents: r.amount_cents,
    accountingDate: r.accounting_date,
    entryId: Number(r.entry_id),
    undoneByEntryId: r.undone_by_entry_id === null ? null : Number(r.undone_by_entry_id),
  }));
}

/**
 * Posts a credit (payment, credit adjustment, write-off, ...): Dr the debit account / Cr unapplied cash, then
 * matches it to the directed items in the order given, or else lets the clearing run match the account's unapplied
 * credits (this one among them) oldest due first. What nothing consumes stays as an unapplied credit.
 */
export async function postCredit(ctx: Ctx, input: CreditInput): Promise<CreditPosted> {
  const errors = checkCommon(input);
  if (!CREDIT_KINDS.includes(input.kind)) errors.push({ field: "kind", message: "not a known kind of credit" });
  const directed = input.directed_item_ids;
  if (directed && (directed.length === 0 || directed.some((id) => !Number.isSafeInteger(id) || id <= 0))) {
    errors.push({ field: "directed_item_ids", message: "a non-empty list of item ids" });
  }
  refuseIf(errors);
  return inTx(ctx, async (tx) => {
    const { balance, gl } = await lockAndResolve(tx, input, -input.amount_cents);
    const state = await openState(tx, input.account_id, directed);
    const today = tx.clock.today().toString();
    const mine = { id: state.creditId, open_cents: input.amount_cents, accounting_date: today };
    const matches = directed
      ? matchCredits([mine], directedItems(input.account_id, directed, state.items))
      : matchCredits(
          [...state.credits, mine].sort((a, b) =>
            a.accounting_date !== b.accounting_date ? (a.accounting_date < b.accounting_date ? -1 : 1) : a.id - b.id,
          ),
          clearingOrder(state.items),
        );
    const applied = matches.filter((m) => m.credit_id === mine.id).reduce((s, m) => s + m.amount_cents, 0n);
    const credit: CreditRow = {
      id: mine.id,
      accountId: input.account_id,
      kind: input.kind,
      accountingDate: today,
      originalCents: input.amount_cents,
      openCents: input.amount_cents - applied,
      glAccount: gl.counter,
      reference: input.reference,
      description: input.description ?? "",
      entryId: state.entryId,
      reversalEntryId: null,
      version: 1,
    };
    const matched = await writeCredit({
      tx,
      input,
      gl,
      entryId: state.entryId,
      clearingId: state.clearingId,
      credit,
      matches,
    });
    const result: CreditPosted = {
      entry_id: state.entryId,
      credit: creditView(credit),
      matches: matched.map(matchView),
      unapplied_cents: credit.openCents,
      balance_cents: balance,
    };
    await audit(tx, {
      action: "ledger.credit",
      entityType: "receivable_credit",
      entityId: credit.id,
      accountId: input.account_id,
      after: result,
    });
    return result;
  });
}
