/** Pricing usage on a tariff (a quote) and on every tariff of a sector (a rate comparison). Reads only. */
import { Decimal } from "decimal.js";
import {
  compareRates,
  comparisonToJson,
  type Facts,
  type IntervalSeries,
  intervalsFromRows,
  monthsOf,
  type Period,
  parseIntervalsCsv,
  quote,
  quoteToJson,
  type Tariff,
  type Usage,
} from "../../core/rates/index.js";
import { urdbToDocument } from "../../core/rates/urdb.js";
import type { Ctx } from "../../platform/context.js";
import { badRequest, notFound, Problem } from "../../platform/errors.js";
import { compile, loadTariff, readBook, refusing, requestField, TARIFF_FORMAT } from "./book.js";
import type { CompareInput, QuoteInput } from "./inputs.js";

/** A decimal from a request as the engine takes it: a plain decimal string ("512.4"), whatever JSON number came. */
const decimalText = (v: string | number): string => (typeof v === "string" ? v : new Decimal(v).toFixed());

const factsOf = (i: { territory?: string; care?: boolean; fera?: boolean; medical_baseline?: boolean }): Facts => ({
  territory: i.territory,
  care: i.care,
  fera: i.fera,
  medicalBaseline: i.medical_baseline,
});

/** Intervals from CSV text, refused with 400 naming the field and the line. */
function csvSeries(text: string, field: string): IntervalSeries {
  return refusing(
    () => parseIntervalsCsv(text),
    () => field,
  );
}

/**
 * A tariff given whole in a request: a Kilowatt tariff document, or a URDB rate record converted on the way (in the
 * utility's time zone). Refusals name the field under `tariff`.
 */
function inlineTariff(doc: Record<string, unknown>, timeZone: string): Tariff {
  const under = (p: string) => (p ? `tariff.${p}` : "tariff");
  if (doc.format === TARIFF_FORMAT || doc.versions !== undefined) return compile(doc, under);
  return compile(
    refusing(() => urdbToDocument(doc, { timeZone }), under),
    under,
  );
}

/** The usage a quote prices: a register total (with its demand and kWh by period) or interval readings. */
function usageOf(input: QuoteInput): Usage {
  if (input.intervals) {
    const rows = input.intervals.map((r) => ({ start: r.start, kwh: decimalText(r.kwh) }));
    return { kind: "intervals", series: refusing(() => intervalsFromRows(rows)) };
  }
  if (input.intervals_csv !== undefined) {
    return { kind: "intervals", series: csvSeries(input.intervals_csv, "intervals_csv") };
  }
  return {
    kind: "register",
    kwh: decimalText(input.kwh!),
    demandKw: input.demand_kw === undefined ? undefined : decimalText(input.demand_kw),
    kwhByPeriod: input.kwh_by_period
      ? Object.fromEntries(Object.entries(input.kwh_by_period).map(([k, v]) => [k, decimalText(v)]))
      : undefined,
  };
}

/**
 * Prices a period's usage on a tariff from the book (by code) or given whole (a Kilowatt document or a URDB record):
 * the bill's lines, each rounded to the cent, and their total. 400 naming the field for anything the engine refuses;
 * 404 for an unknown code.
 */
export async function quoteBill(ctx: Ctx, input: QuoteInput) {
  const tariff =
    input.tariff_code !== undefined
      ? await loadTariff(ctx.db, input.tariff_code)
      : inlineTariff(input.tariff!, ctx.config.timezone);
  const usage = usageOf(input);
  const period: Period = { from: input.from, to: input.to };
  return quoteToJson(refusing(() => quote(tariff, factsOf(input), period, usage), requestField));
}

/** The tariffs a comparison offers: those named (404 naming the one unknown), else every tariff of the sector. */
async function comparedTariffs(ctx: Ctx, input: CompareInput): Promise<Tariff[]> {
  if (!input.tariff_codes) return (await readBook(ctx.db, input.sector)).map((t) => t.tariff);
  const out: Tariff[] = [];
  for (const [i, code] of input.tariff_codes.entries()) {
    try {
      out.push(await loadTariff(ctx.db, code));
    } catch (err) {
      if (err instanceof Problem && err.status === 404) throw notFound(`tariff ${code}`, `tariff_codes[${i}]`);
      throw err;
    }
  }
  return out;
}

/**
 * Compares what a customer's usage costs on each tariff of a sector (or those named), cheapest first: months of
 * register totals, or interval data (the calendar months it covers, in the utility's time zone). Tariffs that cannot
 * price it (a baseline without a territory, demand without a demand reading) are listed as refused, with the reason.
 */
export async function compareTariffs(ctx: Ctx, input: CompareInput) {
  let months: { period: Period; usage: Usage }[];
  if (input.intervals_csv !== undefined) {
    const series = csvSeries(input.intervals_csv, "intervals_csv");
    months = monthsOf(series, ctx.config.timezone).map((period) => ({
      period,
      usage: { kind: "intervals", series },
    }));
  } else {
    months = input.months!.map((m, i) => {
      if (m.to < m.from) {
        throw badRequest(`months[${i}].to: the last service day is before the first`, [
          { field: `months[${i}].to`, message: `${m.to} is before ${m.from}` },
        ]);
      }
      return {
        period: { from: m.from, to: m.to },
        usage: {
          kind: "register",
          kwh: decimalText(m.kwh),
          demandKw: m.demand_kw === undefined ? undefined : decimalText(m.demand_kw),
        },
      };
    });
  }
  const tariffs = await comparedTariffs(ctx, input);
  return comparisonToJson(refusing(() => compareRates(tariffs, factsOf(input), months), requestField));
}
