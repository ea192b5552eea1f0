/**
 * Restoring service after a disconnection for non-payment: what policy requires (the past-due amount paid or an
 * arrangement made; the reconnection fee, more for a same-day reconnection asked after hours; a deposit where the
 * profile allows one), each requirement with whether it is met and the sentence saying why. Asking to restore bills
 * the fee and the deposit when they are due and not yet billed; once every requirement is met the reconnect order
 * is opened.
 */
import { sql } from "drizzle-orm";
import { formatCents } from "../../core/money.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { ruleRefused } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { depositDecision, depositsOf, requireDeposit } from "../credit/index.js";
import { postCharge } from "../ledger/index.js";
import { openOrders } from "../orders/index.js";
import { findAccount, type PolicyInForce, policyInForce } from "../policy/index.js";
import { accountFacts } from "./summary.js";

export interface Requirement {
  rule_id: string;
  met: boolean;
  amount_cents: bigint;
  explanation: string;
}

export interface Restoration {
  account_id: number;
  as_of: string;
  profile: string;
  disconnected: boolean;
  /** The disconnect order that cut service (its id ties the fee to this disconnection). */
  disconnect_order_id: number | null;
  same_day: boolean;
  after_hours: boolean;
  requirements: Requirement[];
  all_met: boolean;
  /** The reconnect order, once opened. */
  reconnect_order_id: number | null;
}

type Cut = { order_id: bigint; completed_on: string; premise_id: bigint | null; reconnect_id: bigint | null };

/** The latest completed disconnect order with no later reconnection done, and an open reconnect order if any. */
async function currentCut(ctx: Ctx, accountId: number): Promise<Cut | undefined> {
  const [cut] = await preparedRows<Cut>(
    ctx,
    sql`SELECT d.id AS order_id, d.completed_on::text AS completed_on, d.premise_id,
          (SELECT r.id FROM service_orders AS r WHERE r.account_id = d.account_id AND r.kind = 'reconnect'
             AND r.status = 'open' AND r.id > d.id ORDER BY r.id LIMIT 1) AS reconnect_id
        FROM service_orders AS d
        WHERE d.account_id = ${accountId}::int8 AND d.kind = 'disconnect_nonpay' AND d.status = 'completed'
          AND NOT EXISTS (SELECT 1 FROM service_orders AS r WHERE r.account_id = d.account_id
                            AND r.kind = 'reconnect' AND r.status = 'completed' AND r.id > d.id)
        ORDER BY d.id DESC LIMIT 1`,
  );
  return cut;
}

const feeReference = (orderId: bigint | number) => `fee:reconnect:${orderId}`;

/** Whether a local time is at or after the cut-off ("15:00"). */
function isAfterHours(ctx: Ctx, from: string): boolean {
  const t = ctx.clock.now().toZonedDateTimeISO(ctx.clock.timezone);
  const [h, m] = from.split(":").map(Number) as [number, number];
  return t.hour * 60 + t.minute >= h * 60 + m;
}

async function requirementsOf(
  ctx: Ctx,
  accountId: number,
  policy: PolicyInForce,
  cut: Cut,
  sameDay: boolean,
): Promise<{ list: Requirement[]; afterHours: boolean; toBill: ToBill }> {
  const rules = policy.rules.collections;
  const facts = await accountFacts(ctx, accountId, policy.as_of, rules);
  const pastDue = facts?.past_due_cents ?? 0n;
  const list: Requirement[] = [];
  list.push(
    pastDue === 0n
      ? {
          rule_id: "restoration.past_due",
          met: true,
          amount_cents: 0n,
          explanation: "Nothing is past due.",
        }
      : facts?.arrangement
        ? {
            rule_id: "restoration.past_due",
            met: true,
            amount_cents: pastDue,
            explanation: `The past-due ${formatCents(pastDue)} is under payment arrangement ${facts.arrangement.id}.`,
          }
        : {
            rule_id: "restoration.past_due",
            met: false,
            amount_cents: pastDue,
            explanation: `Pay the past-due ${formatCents(pastDue)}, or make a payment arrangement for it.`,
          },
  );

  const afterHours = sameDay && isAfterHours(ctx, rules.after_hours_from);
  const fee = BigInt(afterHours ? rules.after_hours_fee_cents : rules.reconnection_fee_cents);
  const [billed] = await preparedRows<{ original_cents: bigint; open_cents: bigint }>(
    ctx,
    sql`SELECT original_cents, open_cents FROM receivable_items
        WHERE account_id = ${accountId}::int8 AND reference = ${feeReference(cut.order_id)} AND reversal_entry_id IS NULL
        ORDER BY id DESC LIMIT 1`,
  );
  if (fee === 0n && !billed) {
    list.push({
      rule_id: "restoration.fee.none",
      met: true,
      amount_cents: 0n,
      explanation: `No reconnection fee under the ${policy.profile} profile${policy.profile === "iou" ? " (CPUC D.20-06-003)" : ""}.`,
    });
  } else if (billed) {
    const open = BigInt(billed.open_cents);
    list.push({
      rule_id: "restoration.fee",
      met: open === 0n,
      amount_cents: BigInt(billed.original_cents),
      explanation:
        open === 0n
          ? `The reconnection fee of ${formatCents(BigInt(billed.original_cents))} is paid.`
          : `Pay the reconnection fee: ${formatCents(open)} of ${formatCents(BigInt(billed.original_cents))} is unpaid.`,
    });
  } else {
    list.push({
      rule_id: afterHours ? "restoration.fee.after_hours" : "restoration.fee",
      met: false,
      amount_cents: fee,
      explanation: afterHours
        ? `A same-day reconnection asked after ${rules.after_hours_from} costs ${formatCents(fee)}: billed when you restore.`
        : `A reconnection fee of ${formatCents(fee)}: billed when you restore.`,
    });
  }

  const account = await findAccount(ctx, { id: accountId });
  const deposits = (await depositsOf(ctx, accountId)).filter(
    (d) => d.reason === "reestablishment" && d.requested_on >= cut.completed_on && d.status === "billed",
  );
  let deposit = "none";
  if (deposits.length > 0) {
    const d = deposits[0]!;
    const unpaid = BigInt(d.unpaid_cents);
    list.push({
      rule_id: "restoration.deposit",
      met: unpaid === 0n,
      amount_cents: BigInt(d.amount_cents),
      explanation:
        unpaid === 0n
          ? `The deposit of ${formatCents(BigInt(d.amount_cents))} to restore service is paid.`
          : `Pay the deposit to restore service: ${formatCents(unpaid)} of ${formatCents(BigInt(d.amount_cents))} is unpaid.`,
    });
    deposit = "billed";
  } else {
    const decision = await depositDecision(ctx, account, "reestablishment", policy);
    const required = decision.decision === "required";
    list.push({
      rule_id: decision.rule_id,
      met: !required,
      amount_cents: BigInt(decision.amount_cents ?? "0"),
      explanation: required ? `${decision.explanation} Billed when you restore.` : decision.explanation,
    });
    deposit = required ? "due" : "none";
  }
  return { list, afterHours, toBill: { fee: billed || fee === 0n ? 0n : fee, deposit: deposit === "due" } };
}

/** What asking to restore would bill: the fee not yet billed (0: none), and whether a deposit is due. */
type ToBill = { fee: bigint; deposit: boolean };

/** What restoring the account's service requires today, each requirement met or not, and why. */
export async function restorationOf(
  ctx: Ctx,
  accountId: number,
  opts: { same_day?: boolean } = {},
): Promise<Restoration> {
  return (await assess(ctx, accountId, opts)).restoration;
}

async function assess(
  ctx: Ctx,
  accountId: number,
  opts: { same_day?: boolean },
): Promise<{ restoration: Restoration; cut: Cut | undefined; toBill: ToBill }> {
  await findAccount(ctx, { id: accountId });
  const today = ctx.clock.today().toString();
  const policy = await policyInForce(ctx, today);
  const cut = await currentCut(ctx, accountId);
  const base = {
    account_id: accountId,
    as_of: today,
    profile: policy.profile,
    same_day: opts.same_day === true,
  };
  if (!cut) {
    const restoration: Restoration = {
      ...base,
      disconnected: false,
      disconnect_order_id: null,
      after_hours: false,
      requirements: [],
      all_met: false,
      reconnect_order_id: null,
    };
    return { restoration, cut, toBill: { fee: 0n, deposit: false } };
  }
  const { list, afterHours, toBill } = await requirementsOf(ctx, accountId, policy, cut, base.same_day);
  const restoration: Restoration = {
    ...base,
    disconnected: true,
    disconnect_order_id: Number(cut.order_id),
    after_hours: afterHours,
    requirements: list,
    all_met: list.every((r) => r.met),
    reconnect_order_id: cut.reconnect_id === null ? null : Number(cut.reconnect_id),
  };
  return { restoration, cut, toBill };
}

/**
 * Restores service: bills the reconnection fee and the deposit where they are due and not yet billed, then, when
 * every requirement is met, opens the reconnect order (same day when asked). Refused with the rule named while the
 * past-due amount is neither paid nor arranged (nothing is billed then).
 */
export async function restoreService(
  ctx: Ctx,
  accountId: number,
  opts: { same_day?: boolean } = {},
): Promise<Restoration> {
  return inTx(ctx, async (tx) => {
    await preparedRows(tx, sql`SELECT id FROM accounts WHERE id = ${accountId}::int8 FOR UPDATE`);
    const { restoration: before, cut, toBill } = await assess(tx, accountId, opts);
    if (!before.disconnected || !cut) {
      throw ruleRefused("restoration.not_disconnected", "the account's service is not disconnected for non-payment", {
        errors: [{ field: "account_id", message: "not disconnected for non-payment" }],
      });
    }
    if (before.reconnect_order_id !== null) return before;
    const pastDue = before.requirements.find((r) => r.rule_id === "restoration.past_due")!;
    if (!pastDue.met) {
      throw ruleRefused("restoration.past_due", pastDue.explanation, {
        errors: [{ field: "past_due", message: pastDue.explanation }],
        requirements: before.requirements,
      });
    }
    const policy = await policyInForce(tx, before.as_of);
    const cutId = Number(cut.order_id);
    if (toBill.fee > 0n) {
      await postCharge(tx, {
        account_id: accountId,
        category: "fee",
        amount_cents: toBill.fee,
        due_date: before.as_of,
        reference: feeReference(cutId),
        description: before.after_hours ? "Same-day reconnection fee (after hours)" : "Reconnection fee",
      });
    }
    if (toBill.deposit) await requireDeposit(tx, accountId, { reason: "reestablishment" });
    const after = await restorationOf(tx, accountId, opts);
    if (after.all_met) {
      const ids = await openOrders(tx, "reconnect", `restoration:${cutId}`, [
        {
          account_id: accountId,
          premise_id: cut.premise_id === null ? null : Number(cut.premise_id),
          reason: `Restore service: ${after.requirements.map((r) => r.explanation).join(" ")}`,
          due_on: before.as_of,
          priority: opts.same_day ? "same_day" : "normal",
        },
      ]);
      after.reconnect_order_id = ids.get(accountId) ?? null;
    }
    await audit(tx, {
      entityType: "restoration",
      entityId: accountId,
      accountId,
      action: "request",
      after: { ...after, profile: policy.profile },
    });
    return after;
  });
}
