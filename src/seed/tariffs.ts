import { readFileSync } from "node:fs";
import { type DocumentImport, importDocument } from "../modules/rates/index.js";
import type { Ctx } from "../platform/context.js";

/** The demo utility's tariffs, each modelled on the published PG&E schedule of the same code (see each description). */
export const DEMO_TARIFF_CODES = ["E-1", "E-TOU-C", "EV2-A", "A-1", "B-1"] as const;

/** A demo tariff's document, as stored in src/seed/tariffs. */
export function demoTariffDocument(code: (typeof DEMO_TARIFF_CODES)[number]): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./tariffs/${code}.json`, import.meta.url), "utf8"));
}

/**
 * Puts the demo tariffs into the tariff book: each one the book lacks is added, and versions it lacks are added to
 * the ones it has; run again, it changes nothing. Each write is audited as the acting user's.
 */
export async function seedDemoTariffs(ctx: Ctx): Promise<DocumentImport[]> {
  const out: DocumentImport[] = [];
  for (const code of DEMO_TARIFF_CODES) out.push(await importDocument(ctx, demoTariffDocument(code)));
  return out;
}
