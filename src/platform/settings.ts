import { and, desc, eq, lte, sql } from "drizzle-orm";
import type { z } from "zod";
import { audit } from "./audit.js";
import { type Ctx, inTx } from "./context.js";
import type { Db } from "./db.js";
import { badRequest, notFound, staleVersion } from "./errors.js";
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

/** The value in force on a business date (YYYY-MM-DD): the latest row effective on or before it, else the default. */
export async function getSetting<T>(db: Db, def: SettingDef<T>, asOf: string): Promise<T> {
  const [row] = await db
    .select({ value: settings.value })
    .from(settings)
    .where(and(eq(settings.key, def.key), lte(settings.effectiveFrom, asOf)))
    .orderBy(desc(settings.effectiveFrom))
    .limit(1);
  return row ? def.schema.parse(row.value) : def.default;
}

/** Today's value in the utility's zone. */
export const currentSetting = <T>(ctx: Ctx, def: SettingDef<T>) =>
  getSetting(ctx.db, def, ctx.clock.today().toString());

export interface SettingView {
  key: string;
  description: string;
  default: unknown;
  current: unknown;
  schedule: { effective_from: string; value: unknown; version: number; updated_by: string; updated_at: string }[];
}

/** One setting: its description, default, value today and its dated schedule. */
export async function describeSetting(ctx: Ctx, key: string): Promise<SettingView> {
  const def = catalogue.get(key);
  if (!def) throw notFound(`setting ${key}`);
  const rows = await ctx.db.select().from(settings).where(eq(settings.key, key)).orderBy(settings.effectiveFrom);
  return {
    key,
    description: def.description,
    default: def.default,
    current: await currentSetting(ctx, def),
    schedule: rows.map((r) => ({
      effective_from: r.effectiveFrom,
      value: r.value,
      version: r.version,
      updated_by: r.updatedBy,
      updated_at: r.updatedAt,
    })),
  };
}

/** Sets a value from a date on. Editing an existing dated row needs the version read (stale edits get 409). */
export async function putSetting(
  ctx: Ctx,
  key: string,
  input: { effective_from: string; value: unknown; version?: number },
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
  await inTx(ctx, async (tx) => {
    const [existing] = await tx.db
      .select()
      .from(settings)
      .where(and(eq(settings.key, key), eq(settings.effectiveFrom, input.effective_from)))
      .for("update");
    if (existing) {
      if (input.version !== existing.version)
        throw staleVersion(`setting ${key} from ${input.effective_from}`, existing);
      await tx.db
        .update(settings)
        .set({
          value: parsed.data,
          version: sql`${settings.version} + 1`,
          updatedBy: ctx.actor.username,
          updatedAt: sql`now()`,
        })
        .where(and(eq(settings.key, key), eq(settings.effectiveFrom, input.effective_from)));
    } else {
      await tx.db
        .insert(settings)
        .values({ key, effectiveFrom: input.effective_from, value: parsed.data, updatedBy: ctx.actor.username });
    }
    await audit(tx, {
      action: existing ? "setting.update" : "setting.create",
      entityType: "setting",
      entityId: `${key}@${input.effective_from}`,
      before: existing ? { value: existing.value } : null,
      after: { value: parsed.data },
    });
  });
  return describeSetting(ctx, key);
}
