import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { notFound, staleVersion } from "../../platform/errors.js";
import type { PremiseChange, PremiseInput, ServicePointInput } from "./inputs.js";
import { meterInstallations, meterRegisters, meters, premises, servicePoints } from "./schema.js";

type PremiseRow = typeof premises.$inferSelect;
type ServicePointRow = typeof servicePoints.$inferSelect;
type MeterRow = typeof meters.$inferSelect;
type RegisterRow = typeof meterRegisters.$inferSelect;

export interface PremiseView {
  id: number;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state: string;
  zip: string;
  baseline_territory: string;
  climate_zone: number | null;
  tax_jurisdiction: string;
  version: number;
}

export interface RegisterView {
  id: number;
  unit: string;
  dials: number;
  tou_period: string | null;
}

/** A meter where it is installed now. */
export interface InstalledMeter {
  id: number;
  meter_number: string;
  kind: string;
  interval_minutes: number | null;
  multiplier: string;
  manufacturer: string | null;
  registers: RegisterView[];
  installed_on: string;
  version: number;
}

export interface ServicePointView {
  id: number;
  premise_id: number;
  kind: string;
  description: string | null;
  version: number;
}

/** A service point with its premise and the meter installed there now. */
export interface ServicePointDetail {
  service_point: ServicePointView;
  premise: PremiseView;
  meter: InstalledMeter | null;
}

export const premiseView = (p: PremiseRow): PremiseView => ({
  id: p.id,
  address_line1: p.addressLine1,
  address_line2: p.addressLine2,
  city: p.city,
  state: p.state,
  zip: p.zip,
  baseline_territory: p.baselineTerritory,
  climate_zone: p.climateZone,
  tax_jurisdiction: p.taxJurisdiction,
  version: p.version,
});

export const servicePointView = (s: ServicePointRow): ServicePointView => ({
  id: s.id,
  premise_id: s.premiseId,
  kind: s.kind,
  description: s.description,
  version: s.version,
});

export const registerView = (r: RegisterRow): RegisterView => ({
  id: r.id,
  unit: r.unit,
  dials: r.dials,
  tou_period: r.touPeriod,
});

const installedMeter = (m: MeterRow, registers: RegisterRow[], installedOn: string): InstalledMeter => ({
  id: m.id,
  meter_number: m.meterNumber,
  kind: m.kind,
  interval_minutes: m.intervalMinutes,
  multiplier: m.multiplier,
  manufacturer: m.manufacturer,
  registers: registers.filter((r) => r.meterId === m.id).map(registerView),
  installed_on: installedOn,
  version: m.version,
});

/** Service points with their premises and current meters, in three queries whatever their number. */
export async function servicePointDetails(db: Db, ids: readonly number[]): Promise<Map<number, ServicePointDetail>> {
  const out = new Map<number, ServicePointDetail>();
  if (ids.length === 0) return out;
  const unique = [...new Set(ids)];
  const points = await db
    .select({ sp: servicePoints, premise: premises })
    .from(servicePoints)
    .innerJoin(premises, eq(premises.id, servicePoints.premiseId))
    .where(inArray(servicePoints.id, unique));
  const installed = await db
    .select({ at: meterInstallations, meter: meters })
    .from(meterInstallations)
    .innerJoin(meters, eq(meters.id, meterInstallations.meterId))
    .where(and(inArray(meterInstallations.servicePointId, unique), isNull(meterInstallations.removedOn)));
  const meterIds = installed.map((i) => i.meter.id);
  const registers = meterIds.length
    ? await db
        .select()
        .from(meterRegisters)
        .where(inArray(meterRegisters.meterId, meterIds))
        .orderBy(asc(meterRegisters.id))
    : [];
  for (const { sp, premise } of points) {
    const current = installed.find((i) => i.at.servicePointId === sp.id);
    out.set(sp.id, {
      service_point: servicePointView(sp),
      premise: premiseView(premise),
      meter: current ? installedMeter(current.meter, registers, current.at.installedOn) : null,
    });
  }
  return out;
}

/** A service point row, or 404 naming `field`; `forUpdate` locks it (serialising meter and agreement changes there). */
export async function requireServicePoint(db: Db, id: number, field = "service_point_id", forUpdate = false) {
  const query = db.select().from(servicePoints).where(eq(servicePoints.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`service point ${id}`, field);
  return row;
}

async function requirePremise(db: Db, id: number, forUpdate = false): Promise<PremiseRow> {
  const query = db.select().from(premises).where(eq(premises.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`premise ${id}`, "id");
  return row;
}

/** Adds a service address. */
export async function createPremise(ctx: Ctx, input: PremiseInput): Promise<PremiseView> {
  return inTx(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(premises)
      .values({
        addressLine1: input.address_line1,
        addressLine2: input.address_line2 ?? null,
        city: input.city,
        state: input.state ?? "CA",
        zip: input.zip,
        baselineTerritory: input.baseline_territory,
        climateZone: input.climate_zone ?? null,
        taxJurisdiction: input.tax_jurisdiction,
      })
      .returning();
    const view = premiseView(row!);
    await audit(tx, { action: "premise.create", entityType: "premise", entityId: row!.id, after: view });
    return view;
  });
}

/** A premise with its service points and the meter at each. */
export async function getPremise(ctx: Ctx, id: number) {
  const premise = premiseView(await requirePremise(ctx.db, id));
  return { ...premise, service_points: await listServicePoints(ctx, id) };
}

/** Edits a premise with the version read. */
export async function updatePremise(ctx: Ctx, id: number, change: PremiseChange): Promise<PremiseView> {
  return inTx(ctx, async (tx) => {
    const row = await requirePremise(tx.db, id, true);
    const before = premiseView(row);
    if (row.version !== change.version) throw staleVersion(`premise ${id}`, before);
    const [after] = await tx.db
      .update(premises)
      .set({
        addressLine1: change.address_line1 ?? row.addressLine1,
        addressLine2: change.address_line2 === undefined ? row.addressLine2 : change.address_line2,
        city: change.city ?? row.city,
        state: change.state ?? row.state,
        zip: change.zip ?? row.zip,
        baselineTerritory: change.baseline_territory ?? row.baselineTerritory,
        climateZone: change.climate_zone === undefined ? row.climateZone : change.climate_zone,
        taxJurisdiction: change.tax_jurisdiction ?? row.taxJurisdiction,
        version: row.version + 1,
      })
      .where(eq(premises.id, id))
      .returning();
    const view = premiseView(after!);
    await audit(tx, { action: "premise.update", entityType: "premise", entityId: id, before, after: view });
    return view;
  });
}

/** Adds a service point at a premise. */
export async function createServicePoint(ctx: Ctx, premiseId: number, input: ServicePointInput) {
  return inTx(ctx, async (tx) => {
    await requirePremise(tx.db, premiseId);
    const [row] = await tx.db
      .insert(servicePoints)
      .values({ premiseId, kind: input.kind ?? "electric", description: input.description ?? null })
      .returning();
    const view = servicePointView(row!);
    await audit(tx, { action: "service_point.create", entityType: "service_point", entityId: row!.id, after: view });
    return { ...view, meter: null };
  });
}

/** The service points of a premise, each with its current meter. */
export async function listServicePoints(ctx: Ctx, premiseId: number) {
  await requirePremise(ctx.db, premiseId);
  const rows = await ctx.db
    .select({ id: servicePoints.id })
    .from(servicePoints)
    .where(eq(servicePoints.premiseId, premiseId))
    .orderBy(asc(servicePoints.id));
  const details = await servicePointDetails(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const d = details.get(r.id)!;
    return { ...d.service_point, meter: d.meter };
  });
}
