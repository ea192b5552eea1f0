/** What stands in a customer's favour besides history: letters of credit on file, and a recent external check. */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import type { PolicyInForce } from "../policy/rules.js";
import type { CheckFacts, LetterFacts } from "./deposit-decision.js";
import { depositsOf } from "./deposits.js";

/** A deposit billed on the account and not yet waived, refunded or applied. */
export interface BilledDeposit {
  id: number;
  reason: string;
  amount_cents: string;
  paid_cents: string;
  unpaid_cents: string;
  requested_on: string;
}

export interface Standing {
  letters: LetterFacts[];
  /** Deposits already billed on the account. */
  billed?: BilledDeposit[];
  /** The latest external check still valid on the date, if any. */
  check: CheckFacts | null;
}

export async function standingOf(
  ctx: Ctx,
  partyId: number,
  policy: PolicyInForce,
  accountId?: number,
): Promise<Standing> {
  const validFrom = Temporal.PlainDate.from(policy.as_of)
    .subtract({ days: policy.rules.credit.bureau_valid_days })
    .toString();
  const letters = await preparedRows<LetterFacts & { id: bigint }>(
    ctx,
    sql`SELECT id, issuer, months_of_service, late_payments, disconnections, issued_on::text AS issued_on
        FROM letters_of_credit WHERE party_id = ${partyId}::int8 AND received_on <= ${policy.as_of}::date
        ORDER BY received_on DESC, id DESC`,
  );
  const [check] = await preparedRows<CheckFacts & { id: bigint }>(
    ctx,
    sql`SELECT id, bureau, score, checked_on::text AS checked_on FROM credit_checks
        WHERE party_id = ${partyId}::int8 AND checked_on <= ${policy.as_of}::date AND checked_on >= ${validFrom}::date
        ORDER BY checked_on DESC, id DESC LIMIT 1`,
  );
  const billed = accountId === undefined ? [] : (await depositsOf(ctx, accountId)).filter((d) => d.status === "billed");
  return {
    billed,
    letters: letters.map((l) => ({ ...l, id: Number(l.id) })),
    check: check ? { ...check, id: Number(check.id), score: Number(check.score) } : null,
  };
}
