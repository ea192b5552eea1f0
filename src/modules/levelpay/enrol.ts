/**
 * A CSR enrols an account in level pay, as policy decides (refused with the rule named), or ends its plan (the
 * deferred balance settled at once). Each is one transaction under the account's lock, audited.
 */
import { sql } from "drizzle-orm";
import { Temporal } from "temporal-polyfill";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { ruleRefused, staleVersion } from "../../platform/errors.js";
import { preparedRows } from "../../platform/prepared.js";
import { getSetting } from "../../platform/settings.js";
import { dueDays } from "../billing/run-settings.js";
import { findAccount, policyInForce } from "../policy/index.js";
import { decideEnrolment, enrolmentFacts } from "./eligibility.js";
import { endingOf } from "./ending.js";
import { addMonths, nextReviewOn } from "./plan.js";
import { postAll } from "./postings.js";
import { type LevelPayView, levelPayOf } from "./summary.js";
import { insertEvents, updatePlans } from "./writes.js";

/** A unique violation (the one enrolled plan an account may have), however the driver wraps it. */
const isUniqueViolation = (err: unknown): boolean => {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
};

async function lockAccount(tx: Ctx, accountId: number) {
  await findAccount(tx, { id: accountId });
  await preparedRows(tx, sql`SELECT id FROM accounts WHERE id = ${accountId}::int8 FOR UPDATE`);
}

/** Enrols the account at the level amount policy gives today; refused (422, the rule named) when policy says no. */
export async function enrolLevelPay(ctx: Ctx, accountId: number): Promise<LevelPayView> {
  try {
    return await inTx(ctx, async (tx) => {
      await lockAccount(tx, accountId);
      const today = tx.clock.today().toString();
      const policy = await policyInForce(tx, today);
      const rules = policy.rules.collections.level_pay;
      const facts = (await enrolmentFacts(tx, accountId, today, rules))!;
      const decision = decideEnrolment(facts, rules);
      if (!decision.eligible || decision.level_cents === null || facts.last_bill_on === null) {
        throw ruleRefused(decision.rule_id, decision.explanation, {
          errors: [{ field: "account_id", message: decision.explanation }],
          decision,
        });
      }
      // The plan's year runs from the latest bill it was averaged from: a year of monthly bills later, it trues up.
      const anchor = facts.last_bill_on;
      const trueUpOn = addMonths(anchor, rules.true_up_after_months);
      const [plan] = await preparedRows<{ id: bigint }>(
        tx,
        sql`INSERT INTO level_pay_plans (account_id, status, enrolled_on, enrolled_by, level_cents, after_bill_id,
                                         last_review_on, true_up_on)
            VALUES (${accountId}::int8, 'enrolled', ${today}::date, ${tx.actor.username},
                    ${decision.level_cents}::int8, ${facts.last_bill_id}::int8, ${anchor}::date, ${trueUpOn}::date)
            RETURNING id`,
      );
      const planId = Number(plan!.id);
      const review = nextReviewOn({ last_review_on: anchor }, rules);
      await insertEvents(tx, [
        {
          plan_id: planId,
          account_id: accountId,
          on_date: today,
          kind: "enrolled",
          bill_id: null,
          actual_cents: null,
          level_cents: decision.level_cents,
          deferred_after_cents: 0n,
          settled_cents: null,
          entry_id: null,
          rule_id: decision.rule_id,
          facts: { ...decision.facts, next_review_on: review, true_up_on: trueUpOn },
          explanation: `Enrolled. ${decision.explanation} Bills after ${anchor} are leveled; the amount is reviewed from ${review} and trued up on ${trueUpOn}.`,
          recorded_by: tx.actor.username,
        },
      ]);
      const view = await levelPayOf(tx, accountId);
      await audit(tx, {
        action: "levelpay.enrol",
        entityType: "level_pay_plan",
        entityId: planId,
        accountId,
        after: view.plan,
      });
      return view;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw ruleRefused("level_pay.already_enrolled", "the account is already enrolled in level pay", {
        errors: [{ field: "account_id", message: "already enrolled" }],
      });
    }
    throw err;
  }
}

/** Ends the account's plan at the customer's request: the deferred balance is billed or credited today. */
export async function endLevelPay(
  ctx: Ctx,
  accountId: number,
  input: { version: number; reason: string },
): Promise<LevelPayView> {
  return inTx(ctx, async (tx) => {
    await lockAccount(tx, accountId);
    const [plan] = await preparedRows<{
      id: bigint;
      level_cents: bigint;
      deferred_cents: bigint;
      last_review_on: string;
      version: number;
    }>(
      tx,
      sql`SELECT id, level_cents, deferred_cents, last_review_on::text AS last_review_on, version
          FROM level_pay_plans WHERE account_id = ${accountId}::int8 AND status = 'enrolled' FOR UPDATE`,
    );
    if (!plan) {
      throw ruleRefused("level_pay.not_enrolled", "the account is not enrolled in level pay", {
        errors: [{ field: "account_id", message: "not enrolled" }],
      });
    }
    if (plan.version !== input.version) {
      throw staleVersion(`level pay plan ${plan.id}`, { version: plan.version });
    }
    const today = tx.clock.today().toString();
    const due = Temporal.PlainDate.from(today)
      .add({ days: await getSetting(tx.db, dueDays, today) })
      .toString();
    const ending = endingOf(
      {
        id: Number(plan.id),
        account_id: accountId,
        level_cents: plan.level_cents,
        deferred_cents: plan.deferred_cents,
        last_review_on: plan.last_review_on,
      },
      today,
      due,
      { rule_id: "level_pay.ended.customer_request", reason: input.reason, words: input.reason },
      tx.actor.username,
    );
    if (ending.posting) ending.event.entry_id = (await postAll(tx, [ending.posting]))[0] ?? null;
    await insertEvents(tx, [ending.event]);
    await updatePlans(tx, [ending.write]);
    const view = await levelPayOf(tx, accountId);
    await audit(tx, {
      action: "levelpay.end",
      entityType: "level_pay_plan",
      entityId: Number(plan.id),
      accountId,
      before: { status: "enrolled", deferred_cents: plan.deferred_cents, version: plan.version },
      after: view.plan,
    });
    return view;
  });
}
