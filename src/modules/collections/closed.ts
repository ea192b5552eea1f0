/**
 * Closed accounts in collections, worked by the daily run after the open accounts' steps. A balance left on a closed
 * account moves to the same customer's active account where policy allows (debit or credit); else a debit is dunned
 * by two closed-account notices, written off to bad debt and referred to the collection agency on the policy's days
 * counted from the final bill's due date; a payment that later comes in on a written-off account is a recovery: the
 * debt is reinstated against bad-debt recoveries and the payment clears it. Set-based: one facts statement, then the
 * ledger's bulk postings and array writes.
 */
import { sql } from "drizzle-orm";
import { formatCents } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import { postBillsBulk, postCreditsBulk } from "../ledger/index.js";
import { cancelOrders } from "../orders/index.js";
import type { PolicyDecision } from "../policy/index.js";
import { placeWithAgency } from "./agency.js";
import { type CollectionRules, plusDays } from "./steps.js";

export type ClosedStep = "watching" | "first_notice" | "second_notice" | "written_off" | "referred";

/** What the run knows of a closed account on the day. */
export interface ClosedFacts {
  account_id: number;
  account_number: string;
  notice_channel: string;
  /** Collectible items less open credits: above zero owed, below zero in credit. */
  balance_cents: bigint;
  /** Open credits (a payment on a written-off account is one). */
  open_credit_cents: bigint;
  /** The latest due date of the open items (the final bill's); null when an open item is not billed yet. */
  final_due: string | null;
  /** The same customer's active account, where a balance may move. */
  active_account_id: number | null;
  active_account_number: string | null;
  /** Items in an open dispute or an open bankruptcy hold the whole closed account. */
  held: string | null;
  state: {
    step: ClosedStep;
    step_on: string;
    final_due: string;
    written_off_cents: bigint;
    written_off_on: string | null;
    recovered_cents: bigint;
  } | null;
}

export type ClosedAction =
  | { kind: "none" }
  | { kind: "watch"; final_due: string }
  | { kind: "cured"; says: string }
  | { kind: "transfer"; cents: bigint; to: number; says: string }
  | { kind: "notice"; step: "first_notice" | "second_notice"; final_due: string; says: string }
  | { kind: "write_off"; cents: bigint; final_due: string; refer: boolean; says: string }
  | { kind: "refer"; cents: bigint; says: string }
  | { kind: "recovery"; cents: bigint; says: string };

type ClosedRules = CollectionRules["closed"];

/** The next thing to do for a closed account, by the closed-account rules (pure). */
export function decideClosed(f: ClosedFacts, rules: CollectionRules, today: string): ClosedAction {
  const c: ClosedRules = rules.closed;
  const s = f.state;
  const money = (v: bigint) => formatCents(v);
  if (s && (s.step === "written_off" || s.step === "referred")) {
    const unrecovered = s.written_off_cents - s.recovered_cents;
    if (f.open_credit_cents > 0n && unrecovered > 0n) {
      // biome-ignore lint/complexity/useMathMinMax: bigint cents; Math.min takes numbers only
      const cents = f.open_credit_cents < unrecovered ? f.open_credit_cents : unrecovered;
      return {
        kind: "recovery",
        cents,
        says:
          `${money(cents)} paid on account ${f.account_number} after ${money(s.written_off_cents)} was written off ` +
          `on ${s.written_off_on}: recovered from bad debt (${money(unrecovered - cents)} still written off).`,
      };
    }
    if (
      s.step === "written_off" &&
      s.written_off_on !== null &&
      today >= plusDays(s.written_off_on, c.agency_after_days) &&
      unrecovered >= BigInt(c.min_agency_cents)
    ) {
      return {
        kind: "refer",
        cents: unrecovered,
        says: referSays(f.account_number, unrecovered, s.written_off_on, c),
      };
    }
    return { kind: "none" };
  }
  if (f.held !== null) return { kind: "none" };
  if (f.balance_cents <= 0n) {
    if (f.balance_cents < 0n && f.active_account_id !== null && c.transfer_credit) {
      const cents = -f.balance_cents;
      return {
        kind: "transfer",
        cents: f.balance_cents,
        to: f.active_account_id,
        says:
          `The credit of ${money(cents)} left on closed account ${f.account_number} moved to the customer's active ` +
          `account ${f.active_account_number} (closed accounts: credit balances move to an active account).`,
      };
    }
    if (s) return { kind: "cured", says: `Closed account ${f.account_number} is paid: nothing more is collected.` };
    return { kind: "none" };
  }
  if (f.active_account_id !== null && c.transfer_debit) {
    return {
      kind: "transfer",
      cents: f.balance_cents,
      to: f.active_account_id,
      says:
        `${money(f.balance_cents)} owed on closed account ${f.account_number} moved to the customer's active account ` +
        `${f.active_account_number} (closed accounts: debit balances move to an active account).`,
    };
  }
  if (f.final_due === null) return { kind: "none" };
  const due = f.final_due;
  const writeOffOn = plusDays(due, c.write_off_after_days);
  if (today >= writeOffOn) {
    const refer = c.agency_after_days === 0 && f.balance_cents >= BigInt(c.min_agency_cents);
    return {
      kind: "write_off",
      cents: f.balance_cents,
      final_due: due,
      refer,
      says:
        `${money(f.balance_cents)} owed on closed account ${f.account_number}, unpaid ${c.write_off_after_days} days ` +
        `after the final bill's due date (${due}), written off to bad debt` +
        (refer ? " and referred to the collection agency." : "."),
    };
  }
  const step = s?.step ?? "watching";
  const min = BigInt(rules.min_notice_cents);
  if (f.balance_cents >= min) {
    if (step !== "second_notice" && today >= plusDays(due, c.second_notice_after_days)) {
      return {
        kind: "notice",
        step: "second_notice",
        final_due: due,
        says:
          `Final notice: ${money(f.balance_cents)} is owed on your closed account ${f.account_number} since ${due}. ` +
          `Unless it is paid or arranged by ${writeOffOn}, it will be written off and referred to a collection agency.`,
      };
    }
    if (step === "watching" && today >= plusDays(due, c.first_notice_after_days)) {
      return {
        kind: "notice",
        step: "first_notice",
        final_due: due,
        says:
          `Your account ${f.account_number} is closed and its final bill of ${money(f.balance_cents)} was due ` +
          `${due}. Please pay it; unpaid, it will be referred to a collection agency after ${writeOffOn}.`,
      };
    }
  }
  return s ? { kind: "none" } : { kind: "watch", final_due: due };
}

const referSays = (account: string, cents: bigint, writtenOff: string, c: ClosedRules) =>
  `${formatCents(cents)} written off on closed account ${account} on ${writtenOff} referred to the collection agency ` +
  `(${c.agency_after_days} days after the write-off; at least ${formatCents(BigInt(c.min_agency_cents))}).`;

type Row = {
  account_id: bigint;
  account_number: string;
  notice_channel: string;
  balance: bigint;
  open_credit: bigint;
  final_due: string | null;
  unbilled: boolean;
  active_id: bigint | null;
  active_number: string | null;
  disputed: boolean;
  bankrupt: boolean;
  step: ClosedStep | null;
  step_on: string | null;
  state_due: string | null;
  written_off_cents: bigint | null;
  written_off_on: string | null;
  recovered_cents: bigint | null;
};

/** The closed accounts with a balance, or already in closed-account collections (all of them, or one). */
export async function gatherClosed(ctx: Ctx, accountId: number | null = null): Promise<ClosedFacts[]> {
  const one = accountId === null ? sql`` : sql`AND a.id = ${accountId}::int8`;
  const rows = await preparedRows<Row>(
    ctx,
    sql`WITH closed AS (
          SELECT a.id, a.account_number, a.notice_channel, a.main_party_id FROM accounts AS a
          WHERE a.status = 'closed' ${one}),
        items AS (
          SELECT i.account_id, sum(i.open_cents) AS open, max(i.due_date) AS final_due,
            bool_or(i.due_date IS NULL) AS unbilled
          FROM receivable_items AS i JOIN closed AS c ON c.id = i.account_id
          WHERE i.open_cents > 0 GROUP BY i.account_id),
        credits AS (
          SELECT r.account_id, sum(r.open_cents) AS open
          FROM receivable_credits AS r JOIN closed AS c ON c.id = r.account_id
          WHERE r.open_cents > 0 GROUP BY r.account_id)
        SELECT c.id AS account_id, c.account_number, c.notice_channel,
          (coalesce(it.open, 0) - coalesce(cr.open, 0))::int8 AS balance, coalesce(cr.open, 0)::int8 AS open_credit,
          it.final_due::text AS final_due, coalesce(it.unbilled, false) AS unbilled,
          act.id AS active_id, act.account_number AS active_number,
          EXISTS (SELECT 1 FROM disputes AS d WHERE d.account_id = c.id AND d.status = 'open') AS disputed,
          EXISTS (SELECT 1 FROM bankruptcies AS b WHERE b.account_id = c.id AND b.status = 'open') AS bankrupt,
          s.step, s.step_on::text AS step_on, s.final_due::text AS state_due, s.written_off_cents,
          s.written_off_on::text AS written_off_on, s.recovered_cents
        FROM closed AS c
        LEFT JOIN items AS it ON it.account_id = c.id
        LEFT JOIN credits AS cr ON cr.account_id = c.id
        LEFT JOIN closed_collections AS s ON s.account_id = c.id
        LEFT JOIN LATERAL (
          SELECT b.id, b.account_number FROM accounts AS b
          WHERE b.main_party_id = c.main_party_id AND b.status = 'active' AND b.id <> c.id
          ORDER BY b.opened_on DESC, b.id DESC LIMIT 1) AS act ON true
        WHERE s.account_id IS NOT NULL OR coalesce(it.open, 0) <> coalesce(cr.open, 0)
        ORDER BY c.id`,
  );
  return rows.map((r) => ({
    account_id: Number(r.account_id),
    account_number: r.account_number,
    notice_channel: r.notice_channel,
    balance_cents: BigInt(r.balance),
    open_credit_cents: BigInt(r.open_credit),
    final_due: r.unbilled ? null : r.final_due,
    active_account_id: r.active_id === null ? null : Number(r.active_id),
    active_account_number: r.active_number,
    held: r.bankrupt
      ? "an open bankruptcy case stays collection"
      : r.disputed
        ? "a dispute is under investigation"
        : null,
    state:
      r.step === null
        ? null
        : {
            step: r.step,
            step_on: r.step_on!,
            final_due: r.state_due!,
            written_off_cents: BigInt(r.written_off_cents ?? 0),
            written_off_on: r.written_off_on,
            recovered_cents: BigInt(r.recovered_cents ?? 0),
          },
  }));
}

export interface ClosedRunCounts {
  closed_transferred: number;
  closed_notices: number;
  closed_written_off: number;
  closed_referred: number;
  closed_recoveries: number;
  closed_cured: number;
}

const RULE: Record<ClosedAction["kind"], string> = {
  none: "collections.closed",
  watch: "collections.closed",
  cured: "collections.closed.cured",
  transfer: "collections.closed.transfer",
  notice: "collections.closed.notice",
  write_off: "collections.closed.write_off",
  refer: "collections.closed.agency",
  recovery: "collections.closed.recovery",
};

/**
 * Works every closed account with a balance on `today` (the run's lock held by the caller): transfers, notices,
 * write-offs, referrals (one placement file for the day) and recoveries. Run twice on a day, it adds nothing: what
 * moved the first time leaves nothing to move.
 */
export async function runClosedAccounts(tx: Ctx, today: string, rules: CollectionRules): Promise<ClosedRunCounts> {
  const counts: ClosedRunCounts = {
    closed_transferred: 0,
    closed_notices: 0,
    closed_written_off: 0,
    closed_referred: 0,
    closed_recoveries: 0,
    closed_cured: 0,
  };
  const facts = await gatherClosed(tx);
  if (facts.length === 0) return counts;
  // An account closing while in the open accounts' steps leaves them: an order not yet worked is cancelled.
  const [left] = await preparedRows<{ ids: bigint[] | null }>(
    tx,
    sql`WITH gone AS (
          DELETE FROM collection_states AS s USING accounts AS a
          WHERE a.id = s.account_id AND a.status = 'closed' RETURNING s.order_id)
        SELECT array_agg(order_id) FILTER (WHERE order_id IS NOT NULL) AS ids FROM gone`,
  );
  await cancelOrders(tx, (left?.ids ?? []).map(Number), "the account is closed", tx.actor.username);
  const dueOn = plusDays(today, 19);
  const events: {
    account: number;
    kind: string;
    rule: string;
    says: string;
    facts: string;
    cents: bigint;
    channel: string | null;
  }[] = [];
  const states: {
    account: number;
    step: ClosedStep;
    due: string;
    cents: bigint;
    off: bigint;
    offOn: string | null;
    refOn: string | null;
    rec: bigint;
  }[] = [];
  const cured: number[] = [];
  const debitMoves: { from: ClosedFacts; to: number; cents: bigint; says: string }[] = [];
  const creditMoves: { from: ClosedFacts; to: number; cents: bigint; says: string }[] = [];
  const writeOffs: { f: ClosedFacts; cents: bigint }[] = [];
  const referrals: { account: number; cents: bigint }[] = [];
  const recoveries: { f: ClosedFacts; cents: bigint }[] = [];
  for (const f of facts) {
    const a = decideClosed(f, rules, today);
    const s = f.state;
    const factsJson = JSON.stringify({
      balance_cents: f.balance_cents.toString(),
      final_due: f.final_due,
      step: s?.step ?? null,
      active_account: f.active_account_number,
      written_off_cents: s?.written_off_cents.toString() ?? "0",
      recovered_cents: s?.recovered_cents.toString() ?? "0",
    });
    const event = (kind: string, says: string, cents: bigint, channel: string | null = null) =>
      events.push({ account: f.account_id, kind, rule: RULE[a.kind], says, facts: factsJson, cents, channel });
    const keep = s && {
      account: f.account_id,
      step: s.step,
      due: s.final_due,
      cents: f.balance_cents,
      off: s.written_off_cents,
      offOn: s.written_off_on,
      refOn: null as string | null,
      rec: s.recovered_cents,
    };
    switch (a.kind) {
      case "none":
        if (keep) states.push(keep);
        break;
      case "watch":
        states.push({
          account: f.account_id,
          step: "watching",
          due: a.final_due,
          cents: f.balance_cents,
          off: 0n,
          offOn: null,
          refOn: null,
          rec: 0n,
        });
        break;
      case "cured":
        counts.closed_cured++;
        cured.push(f.account_id);
        event("cured", a.says, 0n);
        break;
      case "transfer":
        counts.closed_transferred++;
        if (a.cents > 0n) debitMoves.push({ from: f, to: a.to, cents: a.cents, says: a.says });
        else creditMoves.push({ from: f, to: a.to, cents: -a.cents, says: a.says });
        event("balance_transferred", a.says, a.cents);
        events.push({
          account: a.to,
          kind: "balance_transferred",
          rule: RULE.transfer,
          says: a.says,
          facts: factsJson,
          cents: a.cents,
          channel: null,
        });
        if (s) cured.push(f.account_id);
        break;
      case "notice":
        counts.closed_notices++;
        event(
          a.step === "first_notice" ? "closed_notice" : "closed_final_notice",
          a.says,
          f.balance_cents,
          f.notice_channel,
        );
        states.push({
          account: f.account_id,
          step: a.step,
          due: a.final_due,
          cents: f.balance_cents,
          off: 0n,
          offOn: null,
          refOn: null,
          rec: 0n,
        });
        break;
      case "write_off":
        counts.closed_written_off++;
        writeOffs.push({ f, cents: a.cents });
        event("written_off", a.says, a.cents);
        if (a.refer) {
          counts.closed_referred++;
          referrals.push({ account: f.account_id, cents: a.cents });
          events.push({
            account: f.account_id,
            kind: "referred",
            rule: RULE.refer,
            says: referSays(f.account_number, a.cents, today, rules.closed),
            facts: factsJson,
            cents: a.cents,
            channel: null,
          });
        }
        states.push({
          account: f.account_id,
          step: a.refer ? "referred" : "written_off",
          due: a.final_due,
          cents: 0n,
          off: a.cents,
          offOn: today,
          refOn: a.refer ? today : null,
          rec: 0n,
        });
        break;
      case "refer":
        counts.closed_referred++;
        referrals.push({ account: f.account_id, cents: a.cents });
        event("referred", a.says, a.cents);
        if (keep) states.push({ ...keep, step: "referred", refOn: today });
        break;
      case "recovery":
        counts.closed_recoveries++;
        recoveries.push({ f, cents: a.cents });
        event("recovery", a.says, a.cents);
        if (keep) states.push({ ...keep, rec: keep.rec + a.cents });
        break;
    }
  }

  // The ledger: transfers (a credit on one account, a charge on the other, through the transfer clearing account),
  // write-offs (a write-off credit clearing the oldest items) and recoveries (the debt reinstated against bad-debt
  // recoveries, cleared at once by the payment waiting on the account).
  const period = { from: today, to: today };
  const credits = [
    ...debitMoves.map((m) => ({
      account_id: m.from.account_id,
      kind: "transfer" as const,
      amount_cents: m.cents,
      reference: `closed:${m.from.account_id}:transfer:${today}`,
      description: `Balance moved to account ${m.from.active_account_number}`,
    })),
    ...creditMoves.map((m) => ({
      account_id: m.to,
      kind: "transfer" as const,
      amount_cents: m.cents,
      reference: `closed:${m.from.account_id}:transfer:${today}`,
      description: `Credit moved from closed account ${m.from.account_number}`,
    })),
    ...writeOffs.map((w) => ({
      account_id: w.f.account_id,
      kind: "write_off" as const,
      amount_cents: w.cents,
      reference: `closed:${w.f.account_id}:write_off:${today}`,
      description: `Closed account written off to bad debt`,
    })),
  ];
  const charges = [
    ...debitMoves.map((m) => ({
      account_id: m.to,
      category: "transfer" as const,
      cents: m.cents,
      reference: `closed:${m.from.account_id}:transfer:${today}`,
      description: `Balance from closed account ${m.from.account_number}`,
      due: dueOn,
    })),
    ...creditMoves.map((m) => ({
      account_id: m.from.account_id,
      category: "transfer" as const,
      cents: m.cents,
      reference: `closed:${m.from.account_id}:transfer:${today}`,
      description: `Credit moved to account ${m.from.active_account_number}`,
      due: today,
    })),
    ...recoveries.map((r) => ({
      account_id: r.f.account_id,
      category: "recovery" as const,
      cents: r.cents,
      reference: `closed:${r.f.account_id}:recovery:${today}`,
      description: "Written-off debt recovered",
      due: today,
    })),
  ];
  if (charges.length > 0) {
    await postBillsBulk(
      tx,
      charges.map((c) => ({
        account_id: c.account_id,
        reference: c.reference,
        description: c.description,
        due_date: c.due,
        service_period: period,
        entry_kind: "charge" as const,
        charges: [{ category: c.category, amount_cents: c.cents, description: c.description }],
        credits: [],
      })),
    );
  }
  if (credits.length > 0) await postCreditsBulk(tx, credits);

  if (cured.length > 0) {
    await preparedRows(tx, sql`DELETE FROM closed_collections WHERE account_id = ANY (${sql.param(cured)}::int8[])`);
  }
  if (states.length > 0) {
    const col = <K extends keyof (typeof states)[number]>(k: K) =>
      sql.param(states.map((r) => (typeof r[k] === "bigint" ? (r[k] as bigint).toString() : r[k])));
    await preparedRows(
      tx,
      sql`INSERT INTO closed_collections AS c (account_id, step, step_on, final_due, balance_cents, written_off_cents,
            written_off_on, referred_on, recovered_cents, evaluated_on)
          SELECT s.account_id, s.step, ${today}::date, s.final_due, s.cents, s.off, s.off_on, s.ref_on, s.rec,
            ${today}::date
          FROM unnest(${col("account")}::int8[], ${col("step")}::text[], ${col("due")}::date[], ${col("cents")}::int8[],
                      ${col("off")}::int8[], ${col("offOn")}::date[], ${col("refOn")}::date[], ${col("rec")}::int8[])
            AS s(account_id, step, final_due, cents, off, off_on, ref_on, rec)
          ON CONFLICT (account_id) DO UPDATE SET
            step = excluded.step,
            step_on = CASE WHEN c.step = excluded.step THEN c.step_on ELSE excluded.step_on END,
            final_due = excluded.final_due, balance_cents = excluded.balance_cents,
            written_off_cents = excluded.written_off_cents, written_off_on = excluded.written_off_on,
            referred_on = coalesce(excluded.referred_on, c.referred_on), recovered_cents = excluded.recovered_cents,
            evaluated_on = excluded.evaluated_on, version = c.version + 1`,
    );
  }
  if (recoveries.length > 0) {
    await preparedRows(
      tx,
      sql`UPDATE agency_placements AS p SET recovered_cents = p.recovered_cents + r.cents
          FROM unnest(${sql.param(recoveries.map((r) => r.f.account_id))}::int8[],
                      ${sql.param(recoveries.map((r) => r.cents.toString()))}::int8[]) AS r(account_id, cents)
          WHERE p.account_id = r.account_id`,
    );
  }
  if (events.length > 0) {
    const col = <K extends keyof (typeof events)[number]>(k: K) =>
      sql.param(events.map((r) => (typeof r[k] === "bigint" ? (r[k] as bigint).toString() : r[k])));
    await preparedRows(
      tx,
      sql`INSERT INTO collection_events (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents, channel)
          SELECT e.account_id, ${today}::date, e.kind, e.rule, e.says, e.facts::jsonb, e.cents, e.channel
          FROM unnest(${col("account")}::int8[], ${col("kind")}::text[], ${col("rule")}::text[], ${col("says")}::text[],
                      ${col("facts")}::text[], ${col("cents")}::int8[], ${col("channel")}::text[])
            AS e(account_id, kind, rule, says, facts, cents, channel)
          ON CONFLICT (account_id, kind, on_date) DO NOTHING`,
    );
  }
  if (referrals.length > 0) await placeWithAgency(tx, today, referrals);
  return counts;
}

const DECISION: Record<ClosedAction["kind"], string> = {
  none: "none",
  watch: "waiting",
  cured: "cured",
  transfer: "transfer",
  notice: "closed_notice",
  write_off: "write_off",
  refer: "refer",
  recovery: "recovery",
};

/** What the closed-account rules decide for the account today, as policy explain shows it. */
export function closedDecision(f: ClosedFacts, rules: CollectionRules, today: string): PolicyDecision {
  const a = decideClosed(f, rules, today);
  const facts = {
    balance_cents: f.balance_cents.toString(),
    final_due: f.final_due,
    step: f.state?.step ?? null,
    active_account: f.active_account_number,
  };
  if (a.kind === "none" || a.kind === "watch") {
    const s = f.state;
    const c = rules.closed;
    const credit = f.balance_cents < 0n ? -f.balance_cents : 0n;
    let explanation: string;
    let decision = DECISION[a.kind];
    if (f.held !== null) explanation = `Closed account held: ${f.held}.`;
    else if (s && (s.step === "written_off" || s.step === "referred")) {
      explanation =
        `${formatCents(s.written_off_cents)} written off on ${s.written_off_on}` +
        (s.step === "referred" ? " and referred to the collection agency" : "") +
        `; ${formatCents(s.recovered_cents)} recovered since.`;
    } else if (credit > 0n) {
      // A credit with nowhere to move (no active account, or policy keeps credits where they are) goes back to the
      // customer: a CSR requests the refund.
      decision = "refund";
      explanation =
        `Closed account ${f.account_number} has a credit of ${formatCents(credit)}` +
        (f.active_account_id === null
          ? " and the customer has no active account"
          : ` (policy does not move credits to the active account ${f.active_account_number})`) +
        ": refund it to the customer.";
    } else if (f.balance_cents === 0n) {
      explanation = `Closed account ${f.account_number} owes nothing: nothing to collect.`;
    } else if (f.final_due) {
      explanation =
        `Closed account owing ${formatCents(f.balance_cents)}: the final bill was due ${f.final_due}; written off ` +
        `on ${plusDays(f.final_due, c.write_off_after_days)} unless paid.`;
    } else explanation = `Closed account owing ${formatCents(f.balance_cents)}: waiting for the final bill.`;
    return { rule_id: RULE[a.kind], decision, facts, explanation };
  }
  return { rule_id: RULE[a.kind], decision: DECISION[a.kind], facts, explanation: a.says };
}

export interface ClosedStateView {
  step: ClosedStep;
  step_on: string;
  final_due: string;
  balance_cents: bigint;
  written_off_cents: bigint;
  written_off_on: string | null;
  referred_on: string | null;
  recovered_cents: bigint;
  placement: { agency: string; placed_on: string; amount_cents: bigint; file_id: number } | null;
}

/** The account's closed-account collection, if it is in one. */
export async function closedStateOf(ctx: Ctx, accountId: number): Promise<ClosedStateView | null> {
  const [r] = await preparedRows<{
    step: ClosedStep;
    step_on: string;
    final_due: string;
    balance_cents: bigint;
    written_off_cents: bigint;
    written_off_on: string | null;
    referred_on: string | null;
    recovered_cents: bigint;
    agency: string | null;
    placed_on: string | null;
    amount_cents: bigint | null;
    file_id: bigint | null;
  }>(
    ctx,
    sql`SELECT c.step, c.step_on::text AS step_on, c.final_due::text AS final_due, c.balance_cents,
          c.written_off_cents, c.written_off_on::text AS written_off_on, c.referred_on::text AS referred_on,
          c.recovered_cents, p.agency, p.placed_on::text AS placed_on, p.amount_cents, p.file_id
        FROM closed_collections AS c LEFT JOIN agency_placements AS p ON p.account_id = c.account_id
        WHERE c.account_id = ${accountId}::int8`,
  );
  if (!r) return null;
  return {
    step: r.step,
    step_on: r.step_on,
    final_due: r.final_due,
    balance_cents: BigInt(r.balance_cents),
    written_off_cents: BigInt(r.written_off_cents),
    written_off_on: r.written_off_on,
    referred_on: r.referred_on,
    recovered_cents: BigInt(r.recovered_cents),
    placement:
      r.agency === null
        ? null
        : {
            agency: r.agency,
            placed_on: r.placed_on!,
            amount_cents: BigInt(r.amount_cents!),
            file_id: Number(r.file_id),
          },
  };
}
