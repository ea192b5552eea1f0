import { and, eq } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { badRequest, conflict, notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import type { EnrolmentChange, EnrolmentInput } from "./inputs.js";
import { enrolments } from "./schema.js";
import { isPartyOnAccount, requireAccount } from "./service.js";

type EnrolmentRow = typeof enrolments.$inferSelect;

/** An enrolment as the API shows it. */
export interface EnrolmentView {
  id: number;
  account_id: number;
  party_id: number | null;
  program: string;
  effective_from: string;
  effective_to: string | null;
  recertify_by: string | null;
  permanent: boolean;
  household_size: number | null;
  note: string | null;
  /** In force today. */
  active: boolean;
  recertification_due: boolean;
  version: number;
}

export const enrolmentView = (e: EnrolmentRow, today: string): EnrolmentView => ({
  id: e.id,
  account_id: e.accountId,
  party_id: e.partyId,
  program: e.program,
  effective_from: e.effectiveFrom,
  effective_to: e.effectiveTo,
  recertify_by: e.recertifyBy,
  permanent: e.permanent,
  household_size: e.householdSize,
  note: e.note,
  active: e.effectiveFrom <= today && (e.effectiveTo === null || e.effectiveTo >= today),
  recertification_due: !e.permanent && e.recertifyBy !== null && e.recertifyBy <= today,
  version: e.version,
});

/** The enrolments of an account, latest first. */
export async function enrolmentsOfAccount(db: Db, accountId: number, today: string): Promise<EnrolmentView[]> {
  const rows = await db.select().from(enrolments).where(eq(enrolments.accountId, accountId));
  return rows
    .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom) || a.id - b.id)
    .map((e) => enrolmentView(e, today));
}

/** The enrolments of an account (404 for an unknown account). */
export async function listEnrolments(ctx: Ctx, accountId: number): Promise<EnrolmentView[]> {
  await requireAccount(ctx.db, accountId);
  return enrolmentsOfAccount(ctx.db, accountId, ctx.clock.today().toString());
}

type Span = { program: string; from: string; to: string | null };
const overlaps = (a: Span, b: Span) => a.from <= (b.to ?? "9999-12-31") && b.from <= (a.to ?? "9999-12-31");

/** One enrolment per program at a time, and CARE and FERA never together (FERA is for households just above CARE). */
function checkSpan(span: Span, others: EnrolmentRow[]) {
  const spans = others.map((o) => ({ program: o.program, from: o.effectiveFrom, to: o.effectiveTo }));
  const same = spans.find((o) => o.program === span.program && overlaps(span, o));
  if (same) {
    throw conflict(`the account is already enrolled in ${span.program} from ${same.from}`, {
      errors: [{ field: "effective_from", message: "overlaps an enrolment in the same program" }],
    });
  }
  const rival = span.program === "care" ? "fera" : span.program === "fera" ? "care" : null;
  const clash = rival && spans.find((o) => o.program === rival && overlaps(span, o));
  if (clash) {
    throw ruleRefused(
      "enrolment.care_fera_exclusive",
      `the account is in ${rival} from ${clash.from}; CARE and FERA exclude each other`,
      {
        errors: [{ field: "program", message: `overlaps a ${rival} enrolment` }],
      },
    );
  }
}

/** Enrols an account in CARE, FERA or medical baseline, for its main customer unless another party on it is named. */
export async function createEnrolment(ctx: Ctx, accountId: number, input: EnrolmentInput): Promise<EnrolmentView> {
  const today = ctx.clock.today().toString();
  return inTx(ctx, async (tx) => {
    // The account lock serialises enrolment edits, so the overlap checks hold.
    const account = await requireAccount(tx.db, accountId, "id", true);
    if (account.status === "closed") {
      throw ruleRefused("account.closed", `account ${account.accountNumber} is closed`, {
        errors: [{ field: "id", message: "the account is closed" }],
      });
    }
    const partyId = input.party_id ?? account.mainPartyId;
    if (!(await isPartyOnAccount(tx.db, accountId, partyId))) {
      throw badRequest("the party is not on this account", [{ field: "party_id", message: "not on the account" }]);
    }
    const others = await tx.db.select().from(enrolments).where(eq(enrolments.accountId, accountId));
    checkSpan({ program: input.program, from: input.effective_from, to: input.effective_to ?? null }, others);
    const [row] = await tx.db
      .insert(enrolments)
      .values({
        accountId,
        partyId,
        program: input.program,
        effectiveFrom: input.effective_from,
        effectiveTo: input.effective_to ?? null,
        recertifyBy: input.permanent ? null : (input.recertify_by ?? null),
        permanent: input.permanent ?? false,
        householdSize: input.household_size ?? null,
        note: input.note ?? null,
      })
      .returning();
    const view = enrolmentView(row!, today);
    await audit(tx, { action: "enrolment.create", entityType: "enrolment", entityId: row!.id, accountId, after: view });
    return view;
  });
}

/** Changes an enrolment's dates (ending it, recertifying it) with the version read. */
export async function updateEnrolment(
  ctx: Ctx,
  accountId: number,
  enrolmentId: number,
  change: EnrolmentChange,
): Promise<EnrolmentView> {
  const today = ctx.clock.today().toString();
  return inTx(ctx, async (tx) => {
    await requireAccount(tx.db, accountId, "id", true);
    const all = await tx.db.select().from(enrolments).where(eq(enrolments.accountId, accountId));
    const row = all.find((e) => e.id === enrolmentId);
    if (!row) throw notFound(`enrolment ${enrolmentId} of account ${accountId}`, "enrolment_id");
    if (row.version !== change.version) throw staleVersion(`enrolment ${enrolmentId}`, enrolmentView(row, today));
    const permanent = change.permanent ?? row.permanent;
    if (permanent && row.program !== "medical_baseline") {
      throw badRequest("only a medical baseline enrolment is permanent", [
        { field: "permanent", message: "not for this program" },
      ]);
    }
    const next = {
      effectiveFrom: change.effective_from ?? row.effectiveFrom,
      effectiveTo: change.effective_to === undefined ? row.effectiveTo : change.effective_to,
      recertifyBy: permanent ? null : change.recertify_by === undefined ? row.recertifyBy : change.recertify_by,
      permanent,
      householdSize: change.household_size === undefined ? row.householdSize : change.household_size,
      note: change.note === undefined ? row.note : change.note,
    };
    if (next.effectiveTo && next.effectiveTo < next.effectiveFrom) {
      throw badRequest("the enrolment would end before it starts", [
        { field: "effective_to", message: "before effective_from" },
      ]);
    }
    checkSpan(
      { program: row.program, from: next.effectiveFrom, to: next.effectiveTo },
      all.filter((e) => e.id !== enrolmentId),
    );
    const [after] = await tx.db
      .update(enrolments)
      .set({ ...next, version: row.version + 1 })
      .where(and(eq(enrolments.id, enrolmentId), eq(enrolments.accountId, accountId)))
      .returning();
    const view = enrolmentView(after!, today);
    await audit(tx, {
      action: "enrolment.update",
      entityType: "enrolment",
      entityId: enrolmentId,
      accountId,
      before: enrolmentView(row, today),
      after: view,
    });
    return view;
  });
}
