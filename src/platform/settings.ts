import { and, desc, eq, gte, isNull, lte, or, sql } from "drizzle-orm";
import type { z } from "zod";
import { audit } from "./audit.js";
import { type Ctx, inTx } from "./context.js";
import type { Db } from "./db.js";
import { badRequest, notFound, ruleRefused, staleVersion } from "./errors.js";
import { settings } from "./schema.js";

/** A number or policy value a utility may change, with its default and its shape. */
export interface SettingDef<T = unknown> {
  key: string;
  description: string;
  schema: z.ZodType<T>;
  default: T;
}

const catalogue = new Map<string, SettingDef>();

/** Registers a setting (contexts call this at module load) and returns a typed handle. */
export function defineSetting<T>(def: SettingDef<T>): SettingDef<T> {
  if (catalogue.has(def.key) && catalogue.get(def.key) !== def) throw new Error(`setting ${def.key} defined twice`);
  catalogue.set(def.key, def as SettingDef);
  return def;
}

export const listSettingDefs = () => [...catalogue.values()].sort((a, b) => a.key.localeCompare(b.key));

/**
 * The value in force on a business date (YYYY-MM-DD): the latest version effective on or before it whose range (if it
 * has an end) covers the date, else the default. A temporary version (with an end) applies only inside its range.
 */
export async function getSetting<T>(db: Db, def: SettingDef<T>, asOf: string): Promise<T> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(
      and(
        eq(settings.key, def.key),
        lte(settings.effectiveFrom, asOf),
        or(isNull(settings.effectiveTo), gte(settings.effectiveTo, asOf)),
      ),
    )
    .orderBy(desc(settings.effectiveFrom))
    .limit(1);
  return row ? def.schema.parse(row.value) : def.default;
}

/** Today's value in the utility's zone. */
export const currentSetting = <T>(ctx: Ctx, def: SettingDef<T>) =>
  getSetting(ctx.db, def, ctx.clock.today().toString());

export interface SettingView {
  key: string;
  /** Today's business date, which `current` is the value of. */
  as_of: string;
  description: string;
  default: unknown;
  current: unknown;
  schedule: {
    effective_from: string;
    effective_to: string | null;
    value: unknown;
    version: number;
    updated_by: string;
    updated_at: string;
  }[];
}

/** One setting: its description, default, value today and its dated schedule. */
export async function describeSetting(ctx: Ctx, key: string): Promise<SettingView> {
  const def = catalogue.get(key);
  if (!def) throw notFound(`setting ${key}`);
  const rows = await ctx.db.select().from(settings).where(eq(settings.key, key)).orderBy(settings.effectiveFrom);
  return {
    key,
    as_of: ctx.clock.today().toString(),
    description: def.description,
    default: def.default,
    current: await currentSetting(ctx, def),
    schedule: rows.map((r) => ({
      effective_from: r.effectiveFrom,
      effective_to: r.effectiveTo,
      value: r.value,
      version: r.version,
      updated_by: r.updatedBy,
      updated_at: r.updatedAt,
    })),
  };
}

/** Whether two versions' ranges collide: two temporary ones that share a day, or an open one starting inside a temporary one. */
function overlaps(a: { from: string; to: string | null }, b: { from: string; to: string | null }): boolean {
  if (a.to !== null && b.to !== null) return a.from <= b.to && b.from <= a.to;
  if (a.to === null && b.to !== null) return b.from < a.from && a.from <= b.to;
  if (a.to !== null && b.to === null) return a.from < b.from && b.from <= a.to;
  return false;
}

const range = (from: string, to: string | null) => (to ? `from ${from} to ${to}` : `from ${from} on`);

/**
 * Sets a value from a date on, or for a date range (`effective_to`, inclusive: a temporary version, after which the
 * version before it applies again). Editing an existing dated row needs the version read (stale edits get 409). A
 * version whose range collides with another's is refused (422, rule settings.overlap), naming the other.
 */
export async function putSetting(
  ctx: Ctx,
  key: string,
  input: { effective_from: string; effective_to?: string | null; value: unknown; version?: number },
): Promise<SettingView> {
  const def = catalogue.get(key);
  if (!def) throw notFound(`setting ${key}`);
  const parsed = def.schema.safeParse(input.value);
  if (!parsed.success) {
    // Each problem at its place in the value: "value.deposit.multiple", not just "value".
    throw badRequest(
      `value is not valid for ${key}: ${parsed.error.issues.map((i) => ["value", ...i.path].join(".")).join(", ")}`,
      parsed.error.issues.map((i) => ({ field: ["value", ...i.path].join("."), message: i.message })),
    );
  }
  const to = input.effective_to ?? null;
  if (to !== null && to < input.effective_from) {
    throw badRequest("effective_to: before effective_from", [
      { field: "effective_to", message: `on or after ${input.effective_from}` },
    ]);
  }
  await inTx(ctx, async (tx) => {
    // One writer per key at a time: the range check below reads the key's other versions.
    await tx.db.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`setting:${key}`}))`);
    const others = await tx.db
      .select({ from: settings.effectiveFrom, to: settings.effectiveTo })
      .from(settings)
      .where(eq(settings.key, key));
    const clash = others.find(
      (o) => o.from !== input.effective_from && overlaps({ from: input.effective_from, to }, o),
    );
    if (clash) {
      throw ruleRefused(
        "settings.overlap",
        `${key} ${range(input.effective_from, to)} overlaps the version ${range(clash.from, clash.to)}`,
        {
          errors: [
            {
              field: to ? "effective_to" : "effective_from",
              message: `overlaps the version ${range(clash.from, clash.to)}`,
            },
          ],
        },
      );
    }
    const [existing] = await tx.db
      .select()
      .from(settings)
      .where(and(eq(settings.key, key), eq(settings.effectiveFrom, input.effective_from)))
      .for("update");
    if (existing) {
      if (input.version !== existing.version)
        throw staleVersion(`setting ${key} from ${input.effective_from}`, {
          effective_from: existing.effectiveFrom,
          effective_to: existing.effectiveTo,
          value: existing.value,
          version: existing.version,
          updated_by: existing.updatedBy,
          updated_at: existing.updatedAt,
        });
      await tx.db
        .update(settings)
        .set({
          value: parsed.data,
          effectiveTo: to,
          version: sql`${settings.version} + 1`,
          updatedBy: ctx.actor.username,
          updatedAt: sql`now()`,
        })
        .where(and(eq(settings.key, key), eq(settings.effectiveFrom, input.effective_from)));
    } else {
      await tx.db.insert(settings).values({
        key,
        effectiveFrom: input.effective_from,
        effectiveTo: to,
        value: parsed.data,
        updatedBy: ctx.actor.username,
      });
    }
    await audit(tx, {
      action: existing ? "setting.update" : "setting.create",
      entityType: "setting",
      entityId: `${key}@${input.effective_from}`,
      before: existing ? { value: existing.value, effective_to: existing.effectiveTo } : null,
      after: { value: parsed.data, effective_to: to },
    });
  });
  return describeSetting(ctx, key);
}
