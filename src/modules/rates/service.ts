import { eq, sql } from "drizzle-orm";
import type { Tariff } from "../../core/rates/index.js";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import { badRequest, conflict } from "../../platform/errors.js";
import {
  compile,
  documentOf,
  forget,
  readBook,
  readTariff,
  type TariffDocument,
  type TariffRow,
  type VersionRow,
} from "./book.js";
import { tariffs, tariffVersions } from "./schema.js";

/** One version's span: in force from effective_from until the next version's (exclusive; null: still in force). */
export interface VersionSpan {
  effective_from: string;
  effective_to: string | null;
}

/** A tariff as the book lists it. */
export interface TariffView {
  code: string;
  name: string;
  sector: string;
  origin: string;
  time_zone: string;
  description: string | null;
  source_url: string | null;
  /** The version in force on today's business date; null when every version starts later. */
  current: { effective_from: string } | null;
  versions: VersionSpan[];
  features: { baseline: boolean; time_of_use: boolean; demand: boolean };
}

/** A tariff with its whole document (every version) and the URDB label each version was converted from. */
export interface TariffDetail extends Omit<TariffView, "versions"> {
  versions: (VersionSpan & { urdb_label: string | null })[];
  document: TariffDocument;
}

function viewOf(ctx: Ctx, row: TariffRow, versions: VersionRow[], tariff: Tariff): TariffView {
  const today = ctx.clock.today().toString();
  const inForce = versions.filter((v) => v.effectiveFrom <= today).at(-1);
  return {
    code: row.code,
    name: row.name,
    sector: row.sector,
    origin: row.origin,
    time_zone: row.timeZone,
    description: row.description,
    source_url: row.sourceUrl,
    current: inForce ? { effective_from: inForce.effectiveFrom } : null,
    versions: versions.map((v, i) => ({
      effective_from: v.effectiveFrom,
      effective_to: versions[i + 1]?.effectiveFrom ?? null,
    })),
    features: { baseline: tariff.hasBaseline, time_of_use: tariff.hasTimeOfUse, demand: tariff.hasDemand },
  };
}

/** The tariff book, by code. */
export async function listTariffs(ctx: Ctx, sector?: string): Promise<TariffView[]> {
  return (await readBook(ctx.db, sector)).map((t) => viewOf(ctx, t.row, t.versions, t.tariff));
}

/** One tariff with its document; 404 for an unknown code. */
export async function getTariff(ctx: Ctx, code: string): Promise<TariffDetail> {
  const { row, versions, tariff } = await readTariff(ctx.db, code);
  const view = viewOf(ctx, row, versions, tariff);
  return {
    ...view,
    versions: view.versions.map((v, i) => ({ ...v, urdb_label: versions[i]!.urdbLabel })),
    document: documentOf(row, versions),
  };
}

/** Where a stored version came from: the URDB record it was converted from, if any. */
export interface VersionSource {
  urdbRecord?: unknown;
  urdbLabel?: string | null;
}

const versionDocs = (tariff: Tariff) => (tariff.document.versions ?? []) as Record<string, unknown>[];
const effectiveFrom = (doc: Record<string, unknown>) => String(doc.effective_from);

const isUniqueViolation = (err: unknown): boolean => {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
};

/** Runs a write; a unique violation from a concurrent writer (same code or date) becomes the 409 it would have got. */
async function writing<T>(fn: () => Promise<T>, clash: () => Error): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw clash();
    throw err;
  }
}

const codeTaken = (code: string) =>
  conflict(`the tariff book already has a tariff ${code}`, {
    errors: [{ field: "code", message: "already in the book" }],
  });
const dateTaken = (code: string, from: string, field = "effective_from") =>
  conflict(`tariff ${code} already has a version effective ${from}`, {
    errors: [{ field, message: "a version with this date exists" }],
  });

async function insertVersion(tx: Ctx, row: TariffRow, doc: Record<string, unknown>, source: VersionSource = {}) {
  const from = effectiveFrom(doc);
  await tx.db.insert(tariffVersions).values({
    tariffId: row.id,
    effectiveFrom: from,
    document: doc,
    urdbRecord: source.urdbRecord ?? null,
    urdbLabel: source.urdbLabel ?? null,
    createdBy: tx.actor.username,
  });
  await audit(tx, {
    action: "tariffs.add_version",
    entityType: "tariff",
    entityId: row.code,
    after: { code: row.code, effective_from: from, urdb_label: source.urdbLabel ?? null, document: doc },
  });
}

/** Stores a compiled, valid tariff (it must be new), its versions, and their audit rows; in the caller's transaction. */
async function storeNew(
  tx: Ctx,
  tariff: Tariff,
  origin: "kilowatt" | "urdb",
  sources: Map<string, VersionSource> = new Map(),
): Promise<TariffRow> {
  const [taken] = await tx.db.select({ id: tariffs.id }).from(tariffs).where(eq(tariffs.code, tariff.code));
  if (taken) throw codeTaken(tariff.code);
  const [row] = await tx.db
    .insert(tariffs)
    .values({
      code: tariff.code,
      name: tariff.name,
      sector: tariff.sector,
      timeZone: tariff.timeZone,
      description: tariff.description ?? null,
      sourceUrl: tariff.source ?? null,
      origin,
      createdBy: tx.actor.username,
    })
    .returning();
  await audit(tx, {
    action: "tariffs.create",
    entityType: "tariff",
    entityId: tariff.code,
    after: {
      code: tariff.code,
      name: tariff.name,
      sector: tariff.sector,
      time_zone: tariff.timeZone,
      origin,
      description: tariff.description ?? null,
      source_url: tariff.source ?? null,
    },
  });
  for (const doc of versionDocs(tariff)) await insertVersion(tx, row!, doc, sources.get(effectiveFrom(doc)));
  forget(tariff.code);
  return row!;
}

/** A tariff's versions changed: the row's version moves on, so every process compiles it again. */
async function touched(tx: Ctx, row: TariffRow) {
  await tx.db
    .update(tariffs)
    .set({ version: sql`${tariffs.version} + 1` })
    .where(eq(tariffs.id, row.id));
  forget(row.code);
}

/**
 * Adds a tariff from a Kilowatt tariff document with all its versions: 400 naming the field the engine refuses,
 * 409 when the code is taken.
 */
export async function createTariff(ctx: Ctx, document: unknown): Promise<TariffView> {
  const tariff = compile(document);
  return writing(
    () =>
      inTx(ctx, async (tx) => {
        await storeNew(tx, tariff, "kilowatt");
        const read = await readTariff(tx.db, tariff.code, { uncommitted: true });
        return viewOf(tx, read.row, read.versions, read.tariff);
      }),
    () => codeTaken(tariff.code),
  );
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The versions of a tariff with `added` put in date order, and where `added` landed. */
function withVersion(versions: readonly VersionRow[], added: Record<string, unknown>) {
  const docs = versions.map((v) => v.document as Record<string, unknown>);
  const from = effectiveFrom(added);
  const at = docs.findIndex((d) => effectiveFrom(d) > from);
  const index = at < 0 ? docs.length : at;
  docs.splice(index, 0, added);
  return { docs, index };
}

/**
 * Adds one version (the version object of the tariff format) to a tariff: 404 for an unknown code, 409 when a
 * version with that effective_from exists, 400 naming the field of the version the engine refuses.
 */
export async function addVersion(ctx: Ctx, code: string, version: Record<string, unknown>): Promise<TariffView> {
  const from = version.effective_from;
  if (typeof from !== "string" || !ISO_DATE.test(from)) {
    throw badRequest("effective_from: the first day the version is in force, YYYY-MM-DD", [
      { field: "effective_from", message: "a date, YYYY-MM-DD" },
    ]);
  }
  return writing(
    () =>
      inTx(ctx, async (tx) => {
        const { row, versions } = await readTariff(tx.db, code, { forUpdate: true, uncommitted: true });
        if (versions.some((v) => v.effectiveFrom === from)) throw dateTaken(code, from);
        const { docs, index } = withVersion(versions, version);
        const prefix = `versions[${index}]`;
        compile({ ...documentOf(row, []), versions: docs }, (p) =>
          p === prefix ? "body" : p.startsWith(`${prefix}.`) ? p.slice(prefix.length + 1) : p,
        );
        await insertVersion(tx, row, version);
        await touched(tx, row);
        const read = await readTariff(tx.db, code, { uncommitted: true });
        return viewOf(tx, read.row, read.versions, read.tariff);
      }),
    () => dateTaken(code, from),
  );
}

/** Key order does not matter when a file's version is compared with the stored one. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );

/** What importing a tariff document did. */
export interface DocumentImport {
  code: string;
  created: boolean;
  /** effective_from of each version added. */
  added: string[];
  /** effective_from of each version already in the book as the file has it. */
  unchanged: string[];
}

/**
 * Imports a Kilowatt tariff document: creates the tariff, or adds the versions the book does not have yet. A version
 * the book has with the same date but other prices is refused (409): a stored version never changes. Importing the
 * same file again changes nothing.
 */
export async function importDocument(ctx: Ctx, document: unknown): Promise<DocumentImport> {
  const tariff = compile(document);
  return inTx(ctx, async (tx) => {
    const [exists] = await tx.db.select({ id: tariffs.id }).from(tariffs).where(eq(tariffs.code, tariff.code));
    if (!exists) {
      await storeNew(tx, tariff, "kilowatt");
      return { code: tariff.code, created: true, added: versionDocs(tariff).map(effectiveFrom), unchanged: [] };
    }
    const { row, versions } = await readTariff(tx.db, tariff.code, { forUpdate: true, uncommitted: true });
    const stored = new Map(versions.map((v) => [v.effectiveFrom, v]));
    const added: Record<string, unknown>[] = [];
    const unchanged: string[] = [];
    for (const doc of versionDocs(tariff)) {
      const from = effectiveFrom(doc);
      const have = stored.get(from);
      if (!have) added.push(doc);
      else if (canonical(have.document) === canonical(doc)) unchanged.push(from);
      else {
        throw conflict(`tariff ${tariff.code} already has a version effective ${from} with other prices`, {
          errors: [
            { field: `versions[${versionDocs(tariff).indexOf(doc)}]`, message: "differs from the stored version" },
          ],
        });
      }
    }
    if (added.length > 0) {
      const all = [...versions.map((v) => v.document as Record<string, unknown>), ...added];
      all.sort((a, b) => (effectiveFrom(a) < effectiveFrom(b) ? -1 : 1));
      compile({ ...documentOf(row, []), versions: all });
      for (const doc of added) await insertVersion(tx, row, doc);
      await touched(tx, row);
    }
    return { code: tariff.code, created: false, added: added.map(effectiveFrom), unchanged };
  });
}

/** Stores converted URDB records grouped by tariff code: new tariffs (origin urdb) or new versions of existing ones. */
export async function storeConverted(
  ctx: Ctx,
  groups: { tariff: Tariff; sources: Map<string, VersionSource> }[],
): Promise<void> {
  const clash = () => conflict("another request stored one of these tariffs or versions meanwhile: try again");
  await writing(
    () =>
      inTx(ctx, async (tx) => {
        for (const { tariff, sources } of groups) {
          const [exists] = await tx.db.select({ id: tariffs.id }).from(tariffs).where(eq(tariffs.code, tariff.code));
          if (!exists) {
            await storeNew(tx, tariff, "urdb", sources);
            continue;
          }
          const { row, versions } = await readTariff(tx.db, tariff.code, { forUpdate: true, uncommitted: true });
          const docs = versionDocs(tariff);
          for (const doc of docs) {
            if (versions.some((v) => v.effectiveFrom === effectiveFrom(doc)))
              throw dateTaken(row.code, effectiveFrom(doc));
          }
          const all = [...versions.map((v) => v.document as Record<string, unknown>), ...docs];
          all.sort((a, b) => (effectiveFrom(a) < effectiveFrom(b) ? -1 : 1));
          compile({ ...documentOf(row, []), versions: all });
          for (const doc of docs) await insertVersion(tx, row, doc, sources.get(effectiveFrom(doc)));
          await touched(tx, row);
        }
      }),
    clash,
  );
}
