/**
 * Deposits: required by a policy decision (refused, with the rule, when policy does not require one), billed as
 * receivable items of category "deposit" (Dr receivables / Cr deposits held) at once or in installments; waived by a
 * letter of credit that shows what policy asks; refunded to the account after the policy's run of on-time payments,
 * with interest where policy says (a daily job). Every decision acted on is kept with its rule, facts and sentence.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, notFound, ruleRefused } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { getSetting } from "../../platform/settings.js";
import { dueDays } from "../billing/run-settings.js";
import { postCharge, reverseEntry } from "../ledger/index.js";
import { findAccount, type PolicyAccount, type PolicyDecision } from "../policy/decisions.js";
import { type PolicyInForce, policyInForce } from "../policy/rules.js";
import { configuredBureau } from "./bureau.js";
import {
  type DepositReason,
  decideDeposit,
  type LetterFacts,
  latePaymentWords,
  letterWaives,
} from "./deposit-decision.js";
import { estimateMonthlyBill } from "./estimate.js";
import { creditFacts, scoreCredit } from "./score.js";
import { standingOf } from "./standing.js";

export interface DepositView {
  id: number;
  account_id: number;
  reason: DepositReason;
  status: "billed" | "waived" | "refunded" | "applied" | "cancelled";
  amount_cents: string;
  installments: number;
  /** Paid so far on its installments, and still owed. */
  paid_cents: string;
  unpaid_cents: string;
  rule_id: string;
  explanation: string;
  facts: Record<string, unknown>;
  requested_on: string;
  requested_by: string;
  letter_id: number | null;
  closed_on: string | null;
  closed_note: string | null;
  returned_cents: string;
  interest_cents: string;
  version: number;
}

type DepositRow = Omit<DepositView, "id" | "account_id" | "letter_id"> & {
  id: bigint;
  account_id: bigint;
  letter_id: bigint | null;
};

const DEPOSIT_COLUMNS = sql`d.id, d.account_id, d.reason, d.status, d.amount_cents::text AS amount_cents, d.installments,
  coalesce(i.paid, 0)::text AS paid_cents, coalesce(i.unpaid, 0)::text AS unpaid_cents, d.rule_id, d.explanation,
  d.facts, d.requested_on::text AS requested_on, d.requested_by, d.letter_id, d.closed_on::text AS closed_on,
  d.closed_note, d.returned_cents::text AS returned_cents, d.interest_cents::text AS interest_cents, d.version`;
/** A deposit's installments: its receivable items (reference deposit:<id>:<n>) not reversed. */
const DEPOSIT_ITEMS = sql`LEFT JOIN LATERAL (
  SELECT sum(ri.original_cents - ri.open_cents) AS paid, sum(ri.open_cents) AS unpaid FROM receivable_items AS ri
  WHERE ri.account_id = d.account_id AND ri.category = 'deposit' AND ri.reversal_entry_id IS NULL
    AND ri.reference LIKE 'deposit:' || d.id || ':%') AS i ON true`;

const viewOf = (r: DepositRow): DepositView => ({
  ...r,
  id: Number(r.id),
  account_id: Number(r.account_id),
  letter_id: r.letter_id === null ? null : Number(r.letter_id),
});

export async function depositsOf(ctx: Ctx, accountId: number): Promise<DepositView[]> {
  const rows = await preparedRows<DepositRow>(
    ctx,
    sql`SELECT ${DEPOSIT_COLUMNS} FROM deposits AS d ${DEPOSIT_ITEMS}
        WHERE d.account_id = ${accountId}::int8 ORDER BY d.id DESC`,
  );
  return rows.map(viewOf);
}

async function depositById(ctx: Ctx, id: number): Promise<DepositView> {
  const [row] = await preparedRows<DepositRow>(
    ctx,
    sql`SELECT ${DEPOSIT_COLUMNS} FROM deposits AS d ${DEPOSIT_ITEMS} WHERE d.id = ${id}::int8`,
  );
  if (!row) throw notFound(`deposit ${id}`, "deposit_id");
  return viewOf(row);
}

/** The deposit decision for a reason on the account, as of today, with everything it weighed. */
export async function depositDecision(ctx: Ctx, account: PolicyAccount, reason: DepositReason, policy: PolicyInForce) {
  const credit = scoreCredit(await creditFacts(ctx, account.main_party_id, policy.as_of), policy.rules.credit);
  const estimate = await estimateMonthlyBill(ctx, account, policy.as_of, policy.rules.deposit);
  const standing = await standingOf(ctx, account.main_party_id, policy, account.id);
  return decideDeposit(reason, policy, credit, estimate, standing);
}

async function keepDecision(tx: Ctx, accountId: number, d: PolicyDecision, subject: string) {
  await preparedRows(
    tx,
    sql`INSERT INTO policy_decisions (account_id, rule_id, decision, facts, explanation, subject, decided_on, decided_by)
        VALUES (${accountId}::int8, ${d.rule_id}, ${d.decision}, ${JSON.stringify(d.facts)}::jsonb, ${d.explanation},
                ${subject}, ${tx.clock.today().toString()}::date, ${tx.actor.username})`,
  );
}

/** Splits an amount into n installments in cents, the first carrying the remainder. */
export function installmentsOf(amount: bigint, n: number): bigint[] {
  const each = amount / BigInt(n);
  return Array.from({ length: n }, (_, i) => (i === 0 ? amount - each * BigInt(n - 1) : each));
}

/**
 * Requires a deposit for a reason: policy decides (a reason the profile forbids, good credit or a letter of credit
 * on file is refused with its rule and sentence); the amount is billed at once or in installments a month apart.
 */
export async function requireDeposit(
  ctx: Ctx,
  accountId: number,
  input: { reason: DepositReason; installments?: number; chapter?: 7 | 11 | 13 },
): Promise<DepositView> {
  return inTx(ctx, async (tx) => {
    const account = await findAccount(tx, { id: accountId });
    const today = tx.clock.today();
    const policy = await policyInForce(tx, today.toString());
    const n = input.installments ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > policy.rules.deposit.max_installments) {
      throw badRequest("installments: not allowed by policy", [
        { field: "installments", message: `1 to ${policy.rules.deposit.max_installments} (policy)` },
      ]);
    }
    const decision = await depositDecision(tx, account, input.reason, policy);
    if (decision.decision !== "required") {
      throw ruleRefused(decision.rule_id, decision.explanation, {
        errors: [{ field: "reason", message: decision.explanation }],
        decision,
      });
    }
    const [open] = await preparedRows<{ id: bigint }>(
      tx,
      sql`SELECT id FROM deposits WHERE account_id = ${accountId}::int8 AND reason = ${input.reason}
          AND status = 'billed' LIMIT 1 FOR UPDATE`,
    );
    if (open) {
      throw ruleRefused("deposit.already_billed", `deposit ${open.id} for this reason is already on the account`, {
        errors: [{ field: "reason", message: `deposit ${open.id} is already billed for this reason` }],
      });
    }
    const amount = BigInt(decision.amount_cents!);
    const [row] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO deposits (account_id, reason, status, amount_cents, installments, rule_id, facts, explanation,
                                requested_on, requested_by)
          VALUES (${accountId}::int8, ${input.reason}, 'billed', ${amount}::int8, ${n}::int4, ${decision.rule_id},
                  ${JSON.stringify(decision.facts)}::jsonb, ${decision.explanation}, ${today.toString()}::date,
                  ${tx.actor.username})
          RETURNING id`,
    );
    const id = Number(row!.id);
    // Adequate assurance is due within the days the Bankruptcy Code allows (20; 30 under Chapter 11); any other
    // deposit as a bill is.
    const rulesDeposit = policy.rules.deposit;
    const days =
      input.reason === "bankruptcy_assurance"
        ? input.chapter === 11
          ? rulesDeposit.bankruptcy_days_chapter_11
          : rulesDeposit.bankruptcy_days
        : await getSetting(tx.db, dueDays, today.toString());
    const firstDue = today.add({ days });
    const parts = installmentsOf(amount, n);
    for (const [k, cents] of parts.entries()) {
      await postCharge(tx, {
        account_id: accountId,
        category: "deposit",
        amount_cents: cents,
        due_date: firstDue.add({ months: k }).toString(),
        reference: `deposit:${id}:${k + 1}`,
        description: n === 1 ? "Deposit" : `Deposit, installment ${k + 1} of ${n}`,
      });
    }
    await keepDecision(tx, accountId, decision, `deposit:${id}`);
    const view = await depositById(tx, id);
    await audit(tx, { action: "credit.deposit_require", entityType: "deposit", entityId: id, accountId, after: view });
    return view;
  });
}

export interface LetterInput {
  issuer: string;
  months_of_service: number;
  late_payments: number;
  disconnections: number;
  issued_on: string;
  note?: string;
}

export interface LetterRecorded {
  letter: LetterFacts & { received_on: string };
  /** Whether it shows what policy asks; if not, what it lacks. */
  waives: boolean;
  shortfall: string | null;
  /** The deposits it waived now. */
  waived: DepositView[];
  explanation: string;
}

/**
 * Records a letter of credit from another utility for the account's customer. When it shows what policy asks, the
 * account's billed establishment and re-establishment deposits are waived: their installments reversed (what was
 * paid on them goes back to the account as a credit). A letter that falls short is kept, and says what it lacks.
 */
export async function recordLetter(ctx: Ctx, accountId: number, input: LetterInput): Promise<LetterRecorded> {
  const errors = [];
  const today = ctx.clock.today().toString();
  if (!input.issuer?.trim()) errors.push({ field: "issuer", message: "the utility that wrote the letter" });
  for (const f of ["months_of_service", "late_payments", "disconnections"] as const) {
    if (!Number.isInteger(input[f]) || input[f] < 0 || input[f] > 600)
      errors.push({ field: f, message: "a whole number, 0 or more" });
  }
  let issued: string | undefined;
  try {
    issued = Temporal.PlainDate.from(input.issued_on ?? "").toString();
  } catch {
    issued = undefined;
  }
  if (!issued || !/^\d{4}-\d{2}-\d{2}$/.test(input.issued_on))
    errors.push({ field: "issued_on", message: "a date YYYY-MM-DD" });
  else if (issued > today) errors.push({ field: "issued_on", message: `after today (${today})` });
  if (errors.length) throw badRequest(`not valid: ${errors.map((e) => e.field).join(", ")}`, errors);
  return inTx(ctx, async (tx) => {
    const account = await findAccount(tx, { id: accountId });
    const policy = await policyInForce(tx, today);
    const [row] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO letters_of_credit (party_id, account_id, issuer, months_of_service, late_payments,
                                         disconnections, issued_on, received_on, note, recorded_by)
          VALUES (${account.main_party_id}::int8, ${accountId}::int8, ${input.issuer.trim()},
                  ${input.months_of_service}::int4, ${input.late_payments}::int4, ${input.disconnections}::int4,
                  ${issued}::date, ${today}::date, ${input.note?.trim() ?? ""}, ${tx.actor.username})
          RETURNING id`,
    );
    const letter = {
      id: Number(row!.id),
      issuer: input.issuer.trim(),
      months_of_service: input.months_of_service,
      late_payments: input.late_payments,
      disconnections: input.disconnections,
      issued_on: issued!,
      received_on: today,
    };
    await audit(tx, {
      action: "credit.letter_record",
      entityType: "letter_of_credit",
      entityId: letter.id,
      accountId,
      after: letter,
    });
    const shortfall = letterWaives(letter, policy.rules.deposit);
    if (shortfall !== null) {
      return {
        letter,
        waives: false,
        shortfall,
        waived: [],
        explanation: `The letter from ${letter.issuer} is kept, but it does not waive a deposit: ${shortfall}.`,
      };
    }
    const open = await preparedRows<{ id: bigint }>(
      tx,
      sql`SELECT id FROM deposits WHERE account_id = ${accountId}::int8 AND status = 'billed'
            AND reason IN ('establishment', 'reestablishment') ORDER BY id FOR UPDATE`,
    );
    const waived: DepositView[] = [];
    for (const d of open) {
      const id = Number(d.id);
      const entries = await preparedRows<{ entry_id: bigint }>(
        tx,
        sql`SELECT entry_id FROM receivable_items WHERE account_id = ${accountId}::int8 AND category = 'deposit'
              AND reversal_entry_id IS NULL AND reference LIKE ${`deposit:${id}:%`} ORDER BY id`,
      );
      for (const e of entries) {
        await reverseEntry(tx, Number(e.entry_id), `deposit ${id} waived: letter of credit from ${letter.issuer}`);
      }
      const note = `waived: letter of credit ${letter.id} from ${letter.issuer}`;
      await preparedRows(
        tx,
        sql`UPDATE deposits SET status = 'waived', letter_id = ${letter.id}::int8, closed_on = ${today}::date,
              closed_note = ${note}, version = version + 1 WHERE id = ${id}::int8`,
      );
      const decision: PolicyDecision = {
        rule_id: "deposit.waived.letter_of_credit",
        decision: "waived",
        facts: {
          letter,
          policy: {
            letter_months: policy.rules.deposit.letter_months,
            letter_max_late: policy.rules.deposit.letter_max_late,
          },
        },
        explanation:
          `Deposit ${id} waived: the letter of credit from ${letter.issuer} shows ${letter.months_of_service} ` +
          `months of service with ${latePaymentWords(letter.late_payments)} and no disconnections (policy asks ` +
          `${policy.rules.deposit.letter_months} months).`,
      };
      await keepDecision(tx, accountId, decision, `deposit:${id}`);
      const view = await depositById(tx, id);
      await audit(tx, { action: "credit.deposit_waive", entityType: "deposit", entityId: id, accountId, after: view });
      waived.push(view);
    }
    return {
      letter,
      waives: true,
      shortfall: null,
      waived,
      explanation:
        `The letter from ${letter.issuer} waives a deposit to start or restore service` +
        (waived.length
          ? `: ${waived.map((w) => `deposit ${w.id} (${formatCents(BigInt(w.amount_cents))})`).join(", ")} waived.`
          : "."),
    };
  });
}

export interface CreditCheckView {
  id: number;
  bureau: string;
  score: number;
  rating: "good" | "poor";
  reasons: string[];
  reference: string;
  checked_on: string;
  checked_by: string;
}

/** Runs an external credit check on the account's customer through the configured bureau adapter, and keeps it. */
export async function runCreditCheck(ctx: Ctx, accountId: number): Promise<CreditCheckView> {
  return inTx(ctx, async (tx) => {
    const account = await findAccount(tx, { id: accountId });
    const today = tx.clock.today().toString();
    const policy = await policyInForce(tx, today);
    const [party] = await preparedRows<{
      identity_hash: string | null;
      identity_last4: string | null;
      display_name: string;
    }>(
      tx,
      sql`SELECT identity_hash, identity_last4, display_name FROM parties WHERE id = ${account.main_party_id}::int8`,
    );
    const answer = await configuredBureau().check(
      {
        party_id: account.main_party_id,
        identity_hash: party?.identity_hash ?? null,
        identity_last4: party?.identity_last4 ?? null,
        name: party?.display_name ?? "",
      },
      today,
    );
    const rating = answer.score >= policy.rules.credit.bureau_good_from ? "good" : "poor";
    const [row] = await preparedRows<{ id: bigint }>(
      tx,
      sql`INSERT INTO credit_checks (party_id, bureau, score, rating, reasons, reference, checked_on, checked_by)
          VALUES (${account.main_party_id}::int8, ${answer.bureau}, ${answer.score}::int4, ${rating},
                  ${JSON.stringify(answer.factors)}::jsonb, ${answer.reference}, ${today}::date, ${tx.actor.username})
          RETURNING id`,
    );
    const view: CreditCheckView = {
      id: Number(row!.id),
      bureau: answer.bureau,
      score: answer.score,
      rating,
      reasons: answer.factors,
      reference: answer.reference,
      checked_on: today,
      checked_by: tx.actor.username,
    };
    await audit(tx, { action: "credit.check", entityType: "credit_check", entityId: view.id, accountId, after: view });
    return view;
  });
}

export async function creditChecksOf(ctx: Ctx, partyId: number): Promise<CreditCheckView[]> {
  const rows = await preparedRows<CreditCheckView & { id: bigint }>(
    ctx,
    sql`SELECT id, bureau, score, rating, reasons, reference, checked_on::text AS checked_on, checked_by
        FROM credit_checks WHERE party_id = ${partyId}::int8 ORDER BY checked_on DESC, id DESC LIMIT 10`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), score: Number(r.score) }));
}

export async function lettersOf(ctx: Ctx, partyId: number) {
  const rows = await preparedRows<LetterFacts & { id: bigint; received_on: string; note: string; recorded_by: string }>(
    ctx,
    sql`SELECT id, issuer, months_of_service, late_payments, disconnections, issued_on::text AS issued_on,
               received_on::text AS received_on, note, recorded_by
        FROM letters_of_credit WHERE party_id = ${partyId}::int8 ORDER BY received_on DESC, id DESC`,
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
