import { Decimal } from "decimal.js";
import { and, asc, eq, isNull } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { badRequest, conflict, notFound, ruleRefused, staleVersion } from "../../platform/errors.js";
import type { InstallInput, MeterChange, MeterInput, RemoveInput } from "./inputs.js";
import { meterInstallations, meterRegisters, meters, servicePoints } from "./schema.js";
import { type RegisterView, registerView, requireServicePoint } from "./service.js";

type MeterRow = typeof meters.$inferSelect;

export interface MeterView {
  id: number;
  meter_number: string;
  kind: string;
  interval_minutes: number | null;
  multiplier: string;
  manufacturer: string | null;
  registers: RegisterView[];
  /** Where it is now: the open installation, or null when it is in the shop. */
  installed_at: { service_point_id: number; premise_id: number; installed_on: string } | null;
  /** Every installation, latest first. */
  history: { service_point_id: number; premise_id: number; installed_on: string; removed_on: string | null }[];
  version: number;
}

/** A multiplier as stored: a positive decimal string. */
function multiplierOf(value: number | string, field = "multiplier"): string {
  const d = new Decimal(value);
  if (!d.isFinite() || d.lte(0) || d.decimalPlaces() > 6) {
    throw badRequest("the multiplier is not valid", [{ field, message: "a positive decimal with up to 6 places" }]);
  }
  return d.toFixed();
}

async function requireMeter(db: Db, id: number, forUpdate = false): Promise<MeterRow> {
  const query = db.select().from(meters).where(eq(meters.id, id));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`meter ${id}`, "id");
  return row;
}

async function meterView(db: Db, m: MeterRow): Promise<MeterView> {
  const registers = await db
    .select()
    .from(meterRegisters)
    .where(eq(meterRegisters.meterId, m.id))
    .orderBy(asc(meterRegisters.id));
  const history = await db
    .select({ at: meterInstallations, premiseId: servicePoints.premiseId })
    .from(meterInstallations)
    .innerJoin(servicePoints, eq(servicePoints.id, meterInstallations.servicePointId))
    .where(eq(meterInstallations.meterId, m.id));
  history.sort((a, b) => b.at.installedOn.localeCompare(a.at.installedOn) || b.at.id - a.at.id);
  const open = history.find((h) => h.at.removedOn === null);
  return {
    id: m.id,
    meter_number: m.meterNumber,
    kind: m.kind,
    interval_minutes: m.intervalMinutes,
    multiplier: m.multiplier,
    manufacturer: m.manufacturer,
    registers: registers.map(registerView),
    installed_at: open
      ? { service_point_id: open.at.servicePointId, premise_id: open.premiseId, installed_on: open.at.installedOn }
      : null,
    history: history.map((h) => ({
      service_point_id: h.at.servicePointId,
      premise_id: h.premiseId,
      installed_on: h.at.installedOn,
      removed_on: h.at.removedOn,
    })),
    version: m.version,
  };
}

/** Adds a meter to the inventory with its registers (not yet installed anywhere). */
export async function createMeter(ctx: Ctx, input: MeterInput): Promise<MeterView> {
  const multiplier = multiplierOf(input.multiplier ?? "1");
  return inTx(ctx, async (tx) => {
    const [taken] = await tx.db
      .select({ id: meters.id })
      .from(meters)
      .where(eq(meters.meterNumber, input.meter_number));
    if (taken) {
      throw conflict(`meter ${input.meter_number} already exists`, {
        errors: [{ field: "meter_number", message: "already in use" }],
      });
    }
    const [row] = await tx.db
      .insert(meters)
      .values({
        meterNumber: input.meter_number,
        kind: input.kind,
        intervalMinutes: input.kind === "interval" ? (input.interval_minutes ?? null) : null,
        multiplier,
        manufacturer: input.manufacturer ?? null,
      })
      .returning();
    await tx.db.insert(meterRegisters).values(
      input.registers.map((r) => ({
        meterId: row!.id,
        unit: r.unit,
        dials: r.dials,
        touPeriod: r.tou_period ?? null,
      })),
    );
    const view = await meterView(tx.db, row!);
    await audit(tx, { action: "meter.create", entityType: "meter", entityId: row!.id, after: view });
    return view;
  });
}

/** A meter with its registers and its install and removal history. */
export async function getMeter(ctx: Ctx, id: number): Promise<MeterView> {
  return meterView(ctx.db, await requireMeter(ctx.db, id));
}

/** Edits a meter's multiplier or manufacturer with the version read. */
export async function updateMeter(ctx: Ctx, id: number, change: MeterChange): Promise<MeterView> {
  return inTx(ctx, async (tx) => {
    const row = await requireMeter(tx.db, id, true);
    const before = await meterView(tx.db, row);
    if (row.version !== change.version) throw staleVersion(`meter ${row.meterNumber}`, before);
    const [after] = await tx.db
      .update(meters)
      .set({
        multiplier: change.multiplier === undefined ? row.multiplier : multiplierOf(change.multiplier),
        manufacturer: change.manufacturer === undefined ? row.manufacturer : change.manufacturer,
        version: row.version + 1,
      })
      .where(eq(meters.id, id))
      .returning();
    const view = await meterView(tx.db, after!);
    await audit(tx, { action: "meter.update", entityType: "meter", entityId: id, before, after: view });
    return view;
  });
}

/** Installs a meter at a service point: the meter must be in the shop and the service point without a meter. */
export async function installMeter(ctx: Ctx, meterId: number, input: InstallInput): Promise<MeterView> {
  const today = ctx.clock.today().toString();
  const installedOn = input.installed_on ?? today;
  if (installedOn > today) {
    throw badRequest("a meter cannot be installed in the future", [{ field: "installed_on", message: "after today" }]);
  }
  return inTx(ctx, async (tx) => {
    const meter = await requireMeter(tx.db, meterId, true);
    if (meter.version !== input.version)
      throw staleVersion(`meter ${meter.meterNumber}`, await meterView(tx.db, meter));
    await requireServicePoint(tx.db, input.service_point_id, "service_point_id", true);
    const [meterHistory, pointHistory] = [
      await tx.db.select().from(meterInstallations).where(eq(meterInstallations.meterId, meterId)),
      await tx.db
        .select()
        .from(meterInstallations)
        .where(eq(meterInstallations.servicePointId, input.service_point_id)),
    ];
    if (meterHistory.some((h) => h.removedOn === null)) {
      throw ruleRefused(
        "meter.already_installed",
        `meter ${meter.meterNumber} is installed elsewhere; remove it first`,
        {
          errors: [{ field: "id", message: "installed elsewhere" }],
        },
      );
    }
    if (pointHistory.some((h) => h.removedOn === null)) {
      throw ruleRefused(
        "service_point.has_meter",
        `service point ${input.service_point_id} has a meter; remove it first`,
        {
          errors: [{ field: "service_point_id", message: "already has a meter" }],
        },
      );
    }
    const lastRemoval = [...meterHistory, ...pointHistory].reduce((m, h) => (h.removedOn! > m ? h.removedOn! : m), "");
    if (installedOn < lastRemoval) {
      throw badRequest("the installation would overlap an earlier one", [
        { field: "installed_on", message: `on or after ${lastRemoval}` },
      ]);
    }
    await tx.db.insert(meterInstallations).values({ meterId, servicePointId: input.service_point_id, installedOn });
    const [after] = await tx.db
      .update(meters)
      .set({ version: meter.version + 1 })
      .where(eq(meters.id, meterId))
      .returning();
    const view = await meterView(tx.db, after!);
    await audit(tx, {
      action: "meter.install",
      entityType: "meter",
      entityId: meterId,
      after: { service_point_id: input.service_point_id, installed_on: installedOn },
    });
    return view;
  });
}

/** Removes a meter from where it is installed, as of a date. */
export async function removeMeter(ctx: Ctx, meterId: number, input: RemoveInput): Promise<MeterView> {
  const today = ctx.clock.today().toString();
  const removedOn = input.removed_on ?? today;
  if (removedOn > today) {
    throw badRequest("a meter cannot be removed in the future", [{ field: "removed_on", message: "after today" }]);
  }
  return inTx(ctx, async (tx) => {
    const meter = await requireMeter(tx.db, meterId, true);
    if (meter.version !== input.version)
      throw staleVersion(`meter ${meter.meterNumber}`, await meterView(tx.db, meter));
    const [open] = await tx.db
      .select()
      .from(meterInstallations)
      .where(and(eq(meterInstallations.meterId, meterId), isNull(meterInstallations.removedOn)));
    if (!open) {
      throw ruleRefused("meter.not_installed", `meter ${meter.meterNumber} is not installed`, {
        errors: [{ field: "id", message: "not installed" }],
      });
    }
    if (removedOn < open.installedOn) {
      throw badRequest("a meter cannot be removed before it was installed", [
        { field: "removed_on", message: `on or after ${open.installedOn}` },
      ]);
    }
    await tx.db.update(meterInstallations).set({ removedOn }).where(eq(meterInstallations.id, open.id));
    const [after] = await tx.db
      .update(meters)
      .set({ version: meter.version + 1 })
      .where(eq(meters.id, meterId))
      .returning();
    const view = await meterView(tx.db, after!);
    await audit(tx, {
      action: "meter.remove",
      entityType: "meter",
      entityId: meterId,
      before: { service_point_id: open.servicePointId, installed_on: open.installedOn },
      after: { service_point_id: open.servicePointId, removed_on: removedOn },
    });
    return view;
  });
}
