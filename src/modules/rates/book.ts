/**
 * The tariff book as stored: a tariff's row and its version rows, put back together as one Kilowatt tariff document,
 * and compiled by the rate engine once per process (until a version is added).
 */
import { asc, eq, inArray } from "drizzle-orm";
import { parseTariff, RateError, type Tariff } from "../../core/rates/index.js";
import type { Db } from "../../platform/db.js";
import { badRequest, type FieldError, notFound } from "../../platform/errors.js";
import { tariffs, tariffVersions } from "./schema.js";

export type TariffRow = typeof tariffs.$inferSelect;
export type VersionRow = typeof tariffVersions.$inferSelect;

export const TARIFF_FORMAT = "kilowatt-tariff/1";

/** A tariff document (docs/tariff-format.md) with all its versions. */
export interface TariffDocument {
  format: string;
  code: string;
  name: string;
  sector: string;
  time_zone: string;
  description?: string;
  source?: string;
  versions: Record<string, unknown>[];
}

/** The whole document of a stored tariff, versions oldest first. */
export function documentOf(row: TariffRow, versions: readonly Pick<VersionRow, "document">[]): TariffDocument {
  return {
    format: TARIFF_FORMAT,
    code: row.code,
    name: row.name,
    sector: row.sector,
    time_zone: row.timeZone,
    ...(row.description != null ? { description: row.description } : {}),
    ...(row.sourceUrl != null ? { source: row.sourceUrl } : {}),
    versions: versions.map((v) => v.document as Record<string, unknown>),
  };
}

/** Field names as a request names them: `facts.medicalBaseline` -> `medical_baseline`, `usage.demandKw` -> `demand_kw`. */
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export function requestField(path: string): string {
  const m = /^(facts|usage)\.(.+)$/.exec(path);
  return m ? snake(m[2]!) : path;
}

/**
 * Runs fn, turning a RateError (a refused tariff, period or usage) into a 400 that names the field: `field(path)`
 * gives the request's name for the engine's path.
 */
export function refusing<T>(fn: () => T, field: (path: string) => string = (p) => p): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RateError) throw refusal(err, field);
    throw err;
  }
}

export function refusal(err: RateError, field: (path: string) => string = (p) => p) {
  const name = field(err.path) || "body";
  let message = err.message.startsWith(`${err.path}: `) ? err.message.slice(err.path.length + 2) : err.message;
  // A line of a file keeps its number in the message when the field is the file.
  if (name !== err.path && /^line \d+$/.test(err.path)) message = `${err.path}: ${message}`;
  const errors: FieldError[] = [{ field: name, message }];
  return badRequest(`${name}: ${message}`, errors);
}

/** Compiles a tariff document, refusing it with a 400 naming the field (prefixed as the request has it). */
export const compile = (doc: unknown, field?: (path: string) => string): Tariff =>
  refusing(() => parseTariff(doc), field);

interface Compiled {
  id: number;
  version: number;
  createdAt: string;
  tariff: Tariff;
}

/**
 * Compiled tariffs of this process by code. An entry is used only while the row's id, version and creation time
 * match: adding a version bumps the row's version, so every process sees the change on its next read.
 */
const cache = new Map<string, Compiled>();

const fresh = (row: Pick<TariffRow, "id" | "version" | "createdAt">, hit: Compiled | undefined) =>
  hit !== undefined && hit.id === row.id && hit.version === row.version && hit.createdAt === row.createdAt;

/** Forgets the compiled tariff (its versions changed). */
export const forget = (code: string) => cache.delete(code);

function compiledOf(row: TariffRow, versions: readonly Pick<VersionRow, "document">[], useCache = true): Tariff {
  const hit = cache.get(row.code);
  if (useCache && fresh(row, hit)) return hit!.tariff;
  const tariff = parseTariff(documentOf(row, versions));
  if (useCache) cache.set(row.code, { id: row.id, version: row.version, createdAt: row.createdAt, tariff });
  return tariff;
}

/** The versions of these tariffs, oldest first, grouped by tariff id. */
export async function versionsOf(db: Db, tariffIds: number[]): Promise<Map<number, VersionRow[]>> {
  const out = new Map<number, VersionRow[]>(tariffIds.map((id) => [id, []]));
  if (tariffIds.length === 0) return out;
  const rows = await db
    .select()
    .from(tariffVersions)
    .where(inArray(tariffVersions.tariffId, tariffIds))
    .orderBy(asc(tariffVersions.tariffId), asc(tariffVersions.effectiveFrom));
  for (const r of rows) out.get(r.tariffId)!.push(r);
  return out;
}

/**
 * A stored tariff with its versions (oldest first) and compiled form; 404 naming `field` for an unknown code.
 * `uncommitted`: read inside a transaction that wrote it, so its compiled form is not kept (the transaction may
 * still roll back).
 */
export async function readTariff(
  db: Db,
  code: string,
  opts: { field?: string; forUpdate?: boolean; uncommitted?: boolean } = {},
): Promise<{ row: TariffRow; versions: VersionRow[]; tariff: Tariff }> {
  const query = db.select().from(tariffs).where(eq(tariffs.code, code));
  const [row] = opts.forUpdate ? await query.for("update") : await query;
  if (!row) throw notFound(`tariff ${code}`, opts.field ?? "code");
  const versions = (await versionsOf(db, [row.id])).get(row.id)!;
  return { row, versions, tariff: compiledOf(row, versions, !opts.uncommitted) };
}

/** Every tariff in the book (optionally of one sector), by code, with versions and compiled forms. */
export async function readBook(
  db: Db,
  sector?: string,
): Promise<{ row: TariffRow; versions: VersionRow[]; tariff: Tariff }[]> {
  const rows = await db
    .select()
    .from(tariffs)
    .where(sector ? eq(tariffs.sector, sector) : undefined)
    .orderBy(asc(tariffs.code));
  const versions = await versionsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const own = versions.get(row.id)!;
    return { row, versions: own, tariff: compiledOf(row, own) };
  });
}

/**
 * The tariff of this code, compiled from all its versions: what bill runs price with. Compiled once per process and
 * compiled again only after a version is added (in any process). 404 for an unknown code.
 */
export async function loadTariff(db: Db, code: string): Promise<Tariff> {
  const [row] = await db
    .select({ id: tariffs.id, version: tariffs.version, createdAt: tariffs.createdAt })
    .from(tariffs)
    .where(eq(tariffs.code, code));
  if (!row) throw notFound(`tariff ${code}`, "tariff_code");
  const hit = cache.get(code);
  if (fresh(row, hit)) return hit!.tariff;
  return (await readTariff(db, code, { field: "tariff_code" })).tariff;
}
