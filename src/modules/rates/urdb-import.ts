/** URDB rate records into the tariff book: each converted to the Kilowatt format, grouped by code, stored as versions. */
import { RateError, type Tariff } from "../../core/rates/index.js";
import { readUrdbFile, urdbToDocument } from "../../core/rates/urdb.js";
import type { Ctx } from "../../platform/context.js";
import { conflict } from "../../platform/errors.js";
import { compile, refusal } from "./book.js";
import { storeConverted, type VersionSource } from "./service.js";

/** What an import stored: one entry per record. */
export interface UrdbImport {
  imported: { code: string; name: string; effective_from: string }[];
}

/** How the request names the i-th record: `[2].field` in an array, `items[2].field` in `{ items }`, else `field`. */
function recordField(body: unknown, i: number): (path: string) => string {
  const prefix = Array.isArray(body)
    ? `[${i}]`
    : body && typeof body === "object" && Array.isArray((body as { items?: unknown }).items)
      ? `items[${i}]`
      : "";
  return (path) => (prefix ? (path ? `${prefix}.${path}` : prefix) : path);
}

const labelOf = (record: unknown): string | null => {
  const label = (record as { label?: unknown } | null)?.label;
  return typeof label === "string" && label.length > 0 ? label : null;
};

type Doc = { code: string; versions: Record<string, unknown>[] } & Record<string, unknown>;

/**
 * Converts URDB records (one, an array, or `{ items }`) and stores them: a code the book lacks becomes a tariff of
 * origin urdb, a code it has gains the records as new versions. `code` names the tariff when the records are one
 * rate's successive revisions. All or nothing: a record the converter refuses (a field Kilowatt does not model,
 * for example) is a 400 naming it, and nothing is stored; a version date the book has is a 409.
 */
export async function importUrdb(ctx: Ctx, body: unknown, opts: { code?: string } = {}): Promise<UrdbImport> {
  let records: unknown[];
  try {
    records = readUrdbFile(body);
  } catch (err) {
    if (err instanceof RateError) throw refusal(err);
    throw err;
  }
  const groups = new Map<string, { doc: Doc; sources: Map<string, VersionSource> }>();
  const imported: UrdbImport["imported"] = [];
  records.forEach((record, i) => {
    const field = recordField(body, i);
    let doc: Doc;
    try {
      doc = urdbToDocument(record, { code: opts.code, timeZone: ctx.config.timezone }) as Doc;
    } catch (err) {
      if (err instanceof RateError) throw refusal(err, field);
      throw err;
    }
    // Each record alone first, so a refusal names the record it is in.
    const one = compile(doc, field);
    const from = String(one.versions[0]!.effectiveFrom);
    const group = groups.get(one.code) ?? { doc: { ...doc, versions: [] as Doc["versions"] }, sources: new Map() };
    if (group.sources.has(from)) {
      throw conflict(`two records are versions of ${one.code} effective ${from}`, {
        errors: [{ field: field("") || "body", message: `another record is ${one.code} effective ${from}` }],
      });
    }
    group.doc.versions.push(...doc.versions);
    group.sources.set(from, { urdbRecord: record, urdbLabel: labelOf(record) });
    groups.set(one.code, group);
    imported.push({ code: one.code, name: one.name, effective_from: from });
  });
  const compiled: { tariff: Tariff; sources: Map<string, VersionSource> }[] = [...groups.values()].map((g) => ({
    tariff: compile(g.doc),
    sources: g.sources,
  }));
  await storeConverted(ctx, compiled);
  return { imported };
}
