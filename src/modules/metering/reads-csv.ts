import { Temporal } from "temporal-polyfill";
import type { Ctx } from "../../platform/context.js";
import { badRequest } from "../../platform/errors.js";
import { csvFields } from "./interval-import.js";
import { type ImportReport, importReads, type ReadItem } from "./reads.js";

// Register reads from a file: `meter_number,read_on,reading[,demand_kw]`, a header line first. A line that is not a
// read (wrong field count, a bad date or number) is refused with its reason and the rest imported; the header
// decides the layout and a wrong one refuses the file.

const DECIMAL = /^\d{1,12}(\.\d{1,3})?$/;

export interface ParsedReads {
  items: ReadItem[];
  refused: { line: number; meter_number: string; read_on: string; reason: string }[];
}

function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  try {
    return Temporal.PlainDate.from(s, { overflow: "reject" }).toString() === s;
  } catch {
    return false;
  }
}

/** Parses a reads file; each item's key is its line number. */
export function parseReadsCsv(text: string): ParsedReads {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = csvFields(lines[0] ?? "")
    .map((h) => h.toLowerCase())
    .join(",");
  const demand = header === "meter_number,read_on,reading,demand_kw";
  if (!demand && header !== "meter_number,read_on,reading") {
    throw badRequest(
      `line 1: the header must be "meter_number,read_on,reading" or "meter_number,read_on,reading,demand_kw", not "${lines[0] ?? ""}"`,
      [{ field: "file", message: "line 1: an unknown header" }],
    );
  }
  const out: ParsedReads = { items: [], refused: [] };
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === "") continue;
    const f = csvFields(lines[i]!);
    const [meter = "", readOn = "", reading = "", demandKw = ""] = f;
    const refuse = (reason: string) => out.refused.push({ line: i + 1, meter_number: meter, read_on: readOn, reason });
    if (f.length < 3 || f.length > (demand ? 4 : 3)) refuse(`needs the fields ${header}`);
    else if (!/^[A-Z0-9][A-Z0-9-]{0,19}$/.test(meter)) refuse(`meter_number "${meter}" is not a meter number`);
    else if (!isDate(readOn)) refuse(`read_on "${readOn}" is not a date (YYYY-MM-DD)`);
    else if (!DECIMAL.test(reading)) refuse(`reading "${reading}" must be a number, 0 or more, up to 3 decimals`);
    else if (demandKw !== "" && !DECIMAL.test(demandKw))
      refuse(`demand_kw "${demandKw}" must be a number, 0 or more, up to 3 decimals`);
    else {
      out.items.push({
        key: i + 1,
        meterNumber: meter,
        readOn,
        reading,
        demandKw: demandKw === "" ? null : demandKw,
        kind: "actual",
      });
    }
  }
  return out;
}

/** Imports a reads file: what could not be read is refused by line, the rest goes through importReads. */
export async function importReadsCsv(
  ctx: Ctx,
  text: string,
  file?: string,
): Promise<ImportReport & { file: string | null }> {
  const parsed = parseReadsCsv(text);
  const report = await importReads(ctx, parsed.items, { file });
  for (const r of parsed.refused) report.problems.push({ ...r, outcome: "refused" });
  report.problems.sort((a, b) => a.line - b.line);
  report.lines += parsed.refused.length;
  report.refused += parsed.refused.length;
  return { file: file ?? null, ...report };
}
