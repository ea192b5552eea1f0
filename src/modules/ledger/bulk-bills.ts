import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { badRequest } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { Columns, Moves } from "./bulk-credits.js";
import { CATEGORY_PURPOSE, type GlAccountRow, type PostingAccounts, resolvePostingAccounts } from "./chart.js";
import type { ItemCategory } from "./inputs.js";
import { assertBalanced } from "./journal.js";
import { clearingOrder, type Match, matchCredits, type OpenItem } from "./matching.js";

// Bills posted set-based (a chunk of a bill run): per bill one balanced entry opening its receivable items by
// category (Dr receivables / Cr the category's revenue), and where a category nets to a credit (a climate credit
// larger than the delivery charges) a receivable credit against that revenue (Dr revenue / Cr unapplied cash); then,
// as a single charge does, the account's unapplied credits clear its open items oldest due first, in a clearing
// entry. Four statements for the whole chunk, like postCreditsBulk: lock the balances (ascending account id) and
// read the chart; read the open items and credits and take the ids; take the clearing ids; write everything.

/** One receivable item or credit of a bill: a category's net amount. */
export interface BillPart {
  category: ItemCategory;
  /** More than zero. */
  amount_cents: bigint;
  description: string;
}

export interface BulkBillInput {
  account_id: number;
  /** "bill:123" */
  reference: string;
  description: string;
  due_date: string;
  service_period: { from: string; to: string };
  /** Categories that net to a charge: one receivable item each. */
  charges: BillPart[];
  /** Categories that net to a credit: one receivable credit each. */
  credits: BillPart[];
  /** The journal entry's kind: a bill (the default), or a charge posted outside a bill (a balance moved). */
  entry_kind?: "bill" | "charge";
}

export interface BulkBillPosted {
  account_id: number;
  entry_id: number;
  item_ids: number[];
  credit_ids: number[];
  clearing_entry_id: number | null;
  matches: Match[];
  /** The account's cached balance once this bill posted. */
  balance_cents: bigint;
}

interface OpenCreditState {
  id: number;
  open_cents: bigint;
  accounting_date: string;
}

const byDateThenId = (a: OpenCreditState, b: OpenCreditState) =>
  a.accounting_date !== b.accounting_date ? (a.accounting_date < b.accounting_date ? -1 : 1) : a.id - b.id;

const net = (b: BulkBillInput) =>
  b.charges.reduce((s, c) => s + c.amount_cents, 0n) - b.credits.reduce((s, c) => s + c.amount_cents, 0n);

function validate(inputs: readonly BulkBillInput[]) {
  inputs.forEach((b, i) => {
    for (const part of [...b.charges, ...b.credits]) {
      if (typeof part.amount_cents !== "bigint" || part.amount_cents <= 0n) {
        throw badRequest(`bill ${i}: a part's amount must be more than zero cents`, [
          { field: `${i}.amount_cents`, message: "more than zero" },
        ]);
      }
      if (!(part.category in CATEGORY_PURPOSE)) {
        throw badRequest(`bill ${i}: unknown category ${part.category}`, [
          { field: `${i}.category`, message: "unknown" },
        ]);
      }
    }
  });
}

async function lockAll(tx: Ctx, inputs: readonly BulkBillInput[]) {
  const sums = new Map<number, bigint>();
  for (const b of inputs) sums.set(b.account_id, (sums.get(b.account_id) ?? 0n) + net(b));
  const ids = [...sums.keys()].sort((a, b) => a - b);
  const deltas = ids.map((id) => sums.get(id)!);
  const purposes = [
    ...new Set(inputs.flatMap((b) => [...b.charges, ...b.credits].map((c) => CATEGORY_PURPOSE[c.category]))),
  ];
  const p = sql.param;
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
        WHERE g.purpose IN ('receivables', 'unapplied_cash') OR g.purpose = ANY(${p(purposes)}::text[])`,
  );
  const balances = new Map<number, bigint>();
  const chart: GlAccountRow[] = [];
  for (const r of rows) {
    if (r.side === "balance") balances.set(Number(r.account_id), r.balance!);
    else chart.push({ ...r, version: Number(r.version) });
  }
  return { balances, chart };
}

/** Open credits and items of the accounts, and ids: n entries, m items, k credits. */
async function openStates(tx: Ctx, accountIds: number[], n: number, m: number, k: number) {
  const rows = await preparedRows<{
    side: "credit" | "item" | "entry" | "new_item" | "new_credit";
    account_id: bigint | null;
    id: bigint;
    open_cents: bigint | null;
    due_date: string | null;
    accounting_date: string | null;
    clears_last: boolean | null;
  }>(
    tx,
    sql`SELECT 'credit' AS side, account_id, id, open_cents, NULL::text AS due_date, accounting_date::text AS accounting_date,
               NULL::boolean AS clears_last
          FROM receivable_credits WHERE account_id = ANY(${sql.param(accountIds)}::int8[]) AND open_cents > 0
        UNION ALL
        SELECT 'item', account_id, id, open_cents, due_date::text, accounting_date::text, clears_last
          FROM receivable_items WHERE account_id = ANY(${sql.param(accountIds)}::int8[]) AND open_cents > 0
        UNION ALL
        SELECT 'entry', NULL, nextval(pg_get_serial_sequence('journal_entries', 'id')), NULL, NULL, NULL, NULL
          FROM generate_series(1, ${n}::int4)
        UNION ALL
        SELECT 'new_item', NULL, nextval(pg_get_serial_sequence('receivable_items', 'id')), NULL, NULL, NULL, NULL
          FROM generate_series(1, ${m}::int4)
        UNION ALL
        SELECT 'new_credit', NULL, nextval(pg_get_serial_sequence('receivable_credits', 'id')), NULL, NULL, NULL, NULL
          FROM generate_series(1, ${k}::int4)`,
  );
  const states = new Map<number, { credits: OpenCreditState[]; items: OpenItem[] }>(
    accountIds.map((id) => [id, { credits: [], items: [] }]),
  );
  const ids = { entry: [] as number[], new_item: [] as number[], new_credit: [] as number[] };
  for (const r of rows) {
    if (r.side === "entry" || r.side === "new_item" || r.side === "new_credit") {
      ids[r.side].push(Number(r.id));
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
  for (const list of Object.values(ids)) list.sort((a, b) => a - b);
  return { states, ids };
}

interface Planned {
  entryId: number;
  itemIds: number[];
  creditIds: number[];
  gl: PostingAccounts[];
  creditGl: PostingAccounts[];
  matches: Match[];
  clearingId: number | null;
  balance: bigint;
}

/**
 * Posts bills set-based inside the caller's open transaction: per bill one balanced entry of its items and credits,
 * and the clearing of the account's unapplied credits against its open items. No audit rows: the bill run audits
 * per chunk. Returns per bill (in order) its entry, item and credit ids, clearing and running balance.
 */
export async function postBillsBulk(tx: Ctx, inputs: readonly BulkBillInput[]): Promise<BulkBillPosted[]> {
  validate(inputs);
  if (inputs.length === 0) return [];
  const { balances, chart } = await lockAll(tx, inputs);
  const missing = inputs.find((b) => !balances.has(b.account_id));
  if (missing)
    throw badRequest(`account ${missing.account_id} was not found`, [
      { field: "account_id", message: "no such account" },
    ]);
  const accountIds = [...balances.keys()];
  const itemCount = inputs.reduce((s, b) => s + b.charges.length, 0);
  const creditCount = inputs.reduce((s, b) => s + b.credits.length, 0);
  const { states, ids } = await openStates(tx, accountIds, inputs.length, itemCount, creditCount);
  const today = tx.clock.today().toString();
  const running = new Map(balances);
  for (const b of inputs) running.set(b.account_id, running.get(b.account_id)! - net(b));
  const itemMoves = new Moves();
  const oldCredits = new Moves();
  // What this chunk's own items and credits are left with (ids of items and of credits come from two sequences).
  const freshItems = new Map<number, { open: bigint; touches: number }>();
  const freshCredits = new Map<number, { open: bigint; touches: number }>();
  let nextItem = 0;
  let nextCredit = 0;
  const resolve = (category: ItemCategory, field: string) =>
    resolvePostingAccounts(chart, undefined, CATEGORY_PURPOSE[category], field);

  const planned: Planned[] = inputs.map((b, i) => {
    const state = states.get(b.account_id)!;
    const itemIds = b.charges.map(() => ids.new_item[nextItem++]!);
    const creditIds = b.credits.map(() => ids.new_credit[nextCredit++]!);
    const gl = b.charges.map((c) => resolve(c.category, `${i}.charges`));
    const creditGl = b.credits.map((c) => resolve(c.category, `${i}.credits`));
    b.charges.forEach((c, j) => {
      state.items.push({ id: itemIds[j]!, open_cents: c.amount_cents, due_date: b.due_date, accounting_date: today });
      freshItems.set(itemIds[j]!, { open: c.amount_cents, touches: 0 });
    });
    b.credits.forEach((c, j) => {
      state.credits.push({ id: creditIds[j]!, open_cents: c.amount_cents, accounting_date: today });
      freshCredits.set(creditIds[j]!, { open: c.amount_cents, touches: 0 });
    });
    const matches = matchCredits([...state.credits].sort(byDateThenId), clearingOrder(state.items));
    const items = new Map(state.items.map((it) => [it.id, it]));
    const credits = new Map(state.credits.map((c) => [c.id, c]));
    const touched = new Set<string>();
    for (const m of matches) {
      items.get(m.item_id)!.open_cents -= m.amount_cents;
      credits.get(m.credit_id)!.open_cents -= m.amount_cents;
      for (const [id, side] of [
        [m.item_id, "i"],
        [m.credit_id, "c"],
      ] as const) {
        const key = `${side}${id}`;
        const first = !touched.has(key);
        touched.add(key);
        const f = (side === "i" ? freshItems : freshCredits).get(id);
        if (f) {
          f.open -= m.amount_cents;
          if (first) f.touches++;
        } else if (side === "i") itemMoves.add(id, -m.amount_cents, first);
        else oldCredits.add(id, -m.amount_cents, first);
      }
    }
    state.items = state.items.filter((it) => it.open_cents > 0n);
    state.credits = state.credits.filter((c) => c.open_cents > 0n);
    const balance = running.get(b.account_id)! + net(b);
    running.set(b.account_id, balance);
    return { entryId: ids.entry[i]!, itemIds, creditIds, gl, creditGl, matches, clearingId: null, balance };
  });
  const clearings = planned.filter((p) => p.matches.length > 0).length;
  if (clearings > 0) {
    const rows = await preparedRows<{ id: bigint }>(
      tx,
      sql`SELECT nextval(pg_get_serial_sequence('journal_entries', 'id')) AS id FROM generate_series(1, ${clearings}::int4)`,
    );
    const clearingIds = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    let next = 0;
    for (const p of planned) if (p.matches.length > 0) p.clearingId = clearingIds[next++]!;
  }
  await writeAll(tx, inputs, planned, today, { itemMoves, oldCredits, freshItems, freshCredits });
  return planned.map((p, i) => ({
    account_id: inputs[i]!.account_id,
    entry_id: p.entryId,
    item_ids: p.itemIds,
    credit_ids: p.creditIds,
    clearing_entry_id: p.clearingId,
    matches: p.matches,
    balance_cents: p.balance,
  }));
}

async function writeAll(
  tx: Ctx,
  inputs: readonly BulkBillInput[],
  planned: Planned[],
  today: string,
  moves: {
    itemMoves: Moves;
    oldCredits: Moves;
    freshItems: Map<number, { open: bigint; touches: number }>;
    freshCredits: Map<number, { open: bigint; touches: number }>;
  },
) {
  const entries = new Columns<{ id: number; kind: string; account: number; reference: string; description: string }>();
  const items = new Columns<{
    id: number;
    account: number;
    category: string;
    from: string;
    to: string;
    due: string;
    original: bigint;
    open: bigint;
    reference: string;
    description: string;
    entry: number;
    version: number;
  }>();
  const credits = new Columns<{
    id: number;
    account: number;
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
    const b = inputs[i]!;
    const account = b.account_id;
    const reference = b.reference;
    entries.push({ id: p.entryId, kind: b.entry_kind ?? "bill", account, reference, description: b.description });
    const lines: {
      entry: number;
      gl: string;
      amount: bigint;
      account: number;
      item: number | null;
      credit: number | null;
    }[] = [];
    b.charges.forEach((c, j) => {
      const id = p.itemIds[j]!;
      const f = moves.freshItems.get(id)!;
      items.push({
        id,
        account,
        category: c.category,
        from: b.service_period.from,
        to: b.service_period.to,
        due: b.due_date,
        original: c.amount_cents,
        open: f.open,
        reference,
        description: c.description,
        entry: p.entryId,
        version: 1 + f.touches,
      });
      lines.push({
        entry: p.entryId,
        gl: p.gl[j]!.receivable,
        amount: c.amount_cents,
        account,
        item: id,
        credit: null,
      });
      lines.push({
        entry: p.entryId,
        gl: p.gl[j]!.counter,
        amount: -c.amount_cents,
        account,
        item: null,
        credit: null,
      });
    });
    b.credits.forEach((c, j) => {
      const id = p.creditIds[j]!;
      const f = moves.freshCredits.get(id)!;
      const gl = p.creditGl[j]!;
      credits.push({
        id,
        account,
        original: c.amount_cents,
        open: f.open,
        gl: gl.counter,
        reference,
        description: c.description,
        entry: p.entryId,
        version: 1 + f.touches,
      });
      lines.push({ entry: p.entryId, gl: gl.counter, amount: c.amount_cents, account, item: null, credit: null });
      lines.push({ entry: p.entryId, gl: gl.unapplied, amount: -c.amount_cents, account, item: null, credit: id });
    });
    assertBalanced(lines.map((l) => ({ glAccount: l.gl, amountCents: l.amount })));
    for (const l of lines) postings.push(l);
    if (p.clearingId === null) return;
    const entry = p.clearingId;
    const sub = (p.gl[0] ?? p.creditGl[0])!;
    entries.push({ id: entry, kind: "clearing", account, reference, description: "clearing" });
    const clearing = p.matches.flatMap((m) => [
      { entry, gl: sub.unapplied, amount: m.amount_cents, account, item: null, credit: m.credit_id },
      { entry, gl: sub.receivable, amount: -m.amount_cents, account, item: m.item_id, credit: null },
    ]);
    assertBalanced(clearing.map((l) => ({ glAccount: l.gl, amountCents: l.amount })));
    for (const l of clearing) postings.push(l);
    for (const m of p.matches)
      matches.push({ account, item: m.item_id, credit: m.credit_id, amount: m.amount_cents, entry });
  });
  const itemMoves = [...moves.itemMoves.sums];
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
    items AS (
      INSERT INTO receivable_items (id, account_id, category, service_from, service_to, due_date, accounting_date,
                                    original_cents, open_cents, reference, description, entry_id, version)
      SELECT i.id, i.account_id, i.category, i.service_from, i.service_to, i.due_date, ${today}::date,
             i.original_cents, i.open_cents, i.reference, i.description, i.entry_id, i.version
      FROM unnest(${items.col("id")}::int8[], ${items.col("account")}::int8[], ${items.col("category")}::text[],
                  ${items.col("from")}::date[], ${items.col("to")}::date[], ${items.col("due")}::date[],
                  ${items.col("original")}::int8[], ${items.col("open")}::int8[], ${items.col("reference")}::text[],
                  ${items.col("description")}::text[], ${items.col("entry")}::int8[], ${items.col("version")}::int4[])
           AS i(id, account_id, category, service_from, service_to, due_date, original_cents, open_cents, reference,
                description, entry_id, version)),
    credits AS (
      INSERT INTO receivable_credits (id, account_id, kind, accounting_date, original_cents, open_cents, gl_account,
                                      reference, description, entry_id, version)
      SELECT c.id, c.account_id, 'credit_adjustment', ${today}::date, c.original_cents, c.open_cents, c.gl_account,
             c.reference, c.description, c.entry_id, c.version
      FROM unnest(${credits.col("id")}::int8[], ${credits.col("account")}::int8[], ${credits.col("original")}::int8[],
                  ${credits.col("open")}::int8[], ${credits.col("gl")}::text[], ${credits.col("reference")}::text[],
                  ${credits.col("description")}::text[], ${credits.col("entry")}::int8[],
                  ${credits.col("version")}::int4[])
           AS c(id, account_id, original_cents, open_cents, gl_account, reference, description, entry_id, version)),
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
    items_moved AS (
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
