import { desc, eq } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { isoInstant } from "../../platform/clock.js";
import { type Ctx, inTx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { badRequest, notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import { requireAccount } from "../accounts/index.js";
import { requireServicePoint, type ServicePointDetail, servicePointDetails } from "../premises/index.js";
import type { AgreementChange, AgreementInput } from "./inputs.js";
import { serviceAgreements } from "./schema.js";

type AgreementRow = typeof serviceAgreements.$inferSelect;

/** A service agreement as its own resource. */
export interface AgreementView {
  id: number;
  account_id: number;
  service_point_id: number;
  tariff_code: string;
  start_date: string;
  end_date: string | null;
  status: string;
  version: number;
  created_at: string;
}

/** A service agreement with where service is delivered: premise, service point and meter. */
export type AgreementDetail = AgreementView & ServicePointDetail;

export const agreementView = (a: AgreementRow): AgreementView => ({
  id: a.id,
  account_id: a.accountId,
  service_point_id: a.servicePointId,
  tariff_code: a.tariffCode,
  start_date: a.startDate,
  end_date: a.endDate,
  status: a.status,
  version: a.version,
  created_at: isoInstant(a.createdAt),
});

type Span = { id: number; start: string; end: string | null };
// The end date is the last day served, so a new agreement may start the day after (not on) the old one's end.
const overlaps = (a: Span, b: Span) => a.start <= (b.end ?? "9999-12-31") && b.start <= (a.end ?? "9999-12-31");

/** One agreement at a service point at a time: a second one overlapping in dates is refused. */
async function checkServicePointFree(db: Db, servicePointId: number, span: Span) {
  const others = await db.select().from(serviceAgreements).where(eq(serviceAgreements.servicePointId, servicePointId));
  const clash = others.find(
    (o) => o.id !== span.id && overlaps(span, { id: o.id, start: o.startDate, end: o.endDate }),
  );
  if (clash) {
    throw ruleRefused(
      "service_agreement.overlap",
      `service point ${servicePointId} is served by agreement ${clash.id} from ${clash.startDate}${clash.endDate ? ` to ${clash.endDate}` : ""}`,
      { errors: [{ field: "start_date", message: "overlaps another agreement at the service point" }] },
    );
  }
}

function checkStatus(status: string, endDate: string | null) {
  if (status === "stopped" && !endDate) {
    throw badRequest("a stopped agreement needs its end date", [{ field: "end_date", message: "required to stop" }]);
  }
}

async function refuseClosedAccount(db: Db, accountId: number, field: string) {
  const account = await requireAccount(db, accountId, field);
  if (account.status === "closed") {
    throw ruleRefused("account.closed", `account ${account.accountNumber} is closed`, {
      errors: [{ field, message: "the account is closed" }],
    });
  }
}

/** Starts service for an account at a service point under a tariff. */
export async function createServiceAgreement(ctx: Ctx, input: AgreementInput): Promise<AgreementView> {
  const today = ctx.clock.today().toString();
  const status = input.status ?? (input.start_date > today ? "pending" : "active");
  checkStatus(status, input.end_date ?? null);
  return inTx(ctx, async (tx) => {
    await refuseClosedAccount(tx.db, input.account_id, "account_id");
    // The service point lock serialises agreements there, so the overlap check holds.
    await requireServicePoint(tx.db, input.service_point_id, "service_point_id", true);
    await checkServicePointFree(tx.db, input.service_point_id, {
      id: 0,
      start: input.start_date,
      end: input.end_date ?? null,
    });
    const [row] = await tx.db
      .insert(serviceAgreements)
      .values({
        accountId: input.account_id,
        servicePointId: input.service_point_id,
        tariffCode: input.tariff_code,
        startDate: input.start_date,
        endDate: input.end_date ?? null,
        status,
      })
      .returning();
    const view = agreementView(row!);
    await audit(tx, {
      action: "service_agreement.create",
      entityType: "service_agreement",
      entityId: row!.id,
      accountId: row!.accountId,
      after: view,
    });
    return view;
  });
}

async function requireAgreement(db: Db, id: number, forUpdate = false): Promise<AgreementRow> {
  const query = db.select().from(serviceAgreements).where(eq(serviceAgreements.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`service agreement ${id}`, "id");
  return row;
}

/** Agreements with their premise, service point and current meter, in a few queries whatever their number. */
export async function withServiceDetails(db: Db, rows: AgreementView[]): Promise<AgreementDetail[]> {
  const details = await servicePointDetails(
    db,
    rows.map((r) => r.service_point_id),
  );
  // Every agreement's service point exists (a foreign key), so each finds its details.
  return rows.map((r) => ({ ...r, ...details.get(r.service_point_id)! }));
}

/** One service agreement with its premise, service point and meter. */
export async function getServiceAgreement(ctx: Ctx, id: number): Promise<AgreementDetail> {
  const [detail] = await withServiceDetails(ctx.db, [agreementView(await requireAgreement(ctx.db, id))]);
  return detail!;
}

/** The agreements of an account, latest start first, with premise, service point and meter. */
export async function agreementsOfAccount(db: Db, accountId: number): Promise<AgreementDetail[]> {
  const rows = await db
    .select()
    .from(serviceAgreements)
    .where(eq(serviceAgreements.accountId, accountId))
    .orderBy(desc(serviceAgreements.startDate), desc(serviceAgreements.id));
  return withServiceDetails(db, rows.map(agreementView));
}

const NEXT_STATUS: Record<string, string[]> = {
  pending: ["pending", "active", "stopped"],
  active: ["active", "stopped"],
  stopped: ["stopped"],
};

/** Edits an agreement (tariff, dates, status) with the version read; a stopped agreement stays stopped. */
export async function updateServiceAgreement(ctx: Ctx, id: number, change: AgreementChange): Promise<AgreementView> {
  return inTx(ctx, async (tx) => {
    const row = await requireAgreement(tx.db, id, true);
    const before = agreementView(row);
    if (row.version !== change.version) throw staleVersion(`service agreement ${id}`, before);
    const next = {
      tariffCode: change.tariff_code ?? row.tariffCode,
      startDate: change.start_date ?? row.startDate,
      endDate: change.end_date === undefined ? row.endDate : change.end_date,
      status: change.status ?? row.status,
    };
    if (!NEXT_STATUS[row.status]?.includes(next.status)) {
      throw ruleRefused("service_agreement.status", `a ${row.status} agreement cannot become ${next.status}`, {
        errors: [{ field: "status", message: `not allowed from ${row.status}` }],
      });
    }
    if (next.endDate && next.endDate < next.startDate) {
      throw badRequest("the agreement would end before it starts", [
        { field: "end_date", message: "before start_date" },
      ]);
    }
    checkStatus(next.status, next.endDate);
    await requireServicePoint(tx.db, row.servicePointId, "service_point_id", true);
    await checkServicePointFree(tx.db, row.servicePointId, { id, start: next.startDate, end: next.endDate });
    const [after] = await tx.db
      .update(serviceAgreements)
      .set({ ...next, version: row.version + 1 })
      .where(eq(serviceAgreements.id, id))
      .returning();
    const view = agreementView(after!);
    await audit(tx, {
      action: "service_agreement.update",
      entityType: "service_agreement",
      entityId: id,
      accountId: row.accountId,
      before,
      after: view,
    });
    return view;
  });
}
