import { z } from "zod";

/** A tariff's code in the book (docs/tariff-format.md): letters, digits, `-`, `_`, `.`, up to 40. */
export const tariffCode = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,40}$/, "letters, digits, '-', '_', '.', up to 40 characters");

export const codeParams = z.object({ code: tariffCode });

/** A tariff document or one version object: its fields are checked by the rate engine, which names each one. */
export const documentBody = z.record(z.string(), z.unknown());

/** A URDB rate record, an array of them, or the API's `{ "items": [...] }`. */
export const urdbBody = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]);
export const urdbQuery = z.object({ code: tariffCode.optional() });

/** kWh or kW in a request: a non-negative decimal, as a string ("512.4") or a JSON number. */
export const decimalInput = z.union([
  z.string().regex(/^\d{1,12}(\.\d{1,6})?$/, "a decimal number, at most 6 decimals"),
  z.number().nonnegative("zero or more").max(999_999_999_999),
]);

const isoDate = z.iso.date();
const facts = {
  territory: z
    .string()
    .regex(/^[A-Za-z0-9]{1,4}$/, "the baseline territory, e.g. T")
    .optional(),
  care: z.boolean().optional(),
  fera: z.boolean().optional(),
  medical_baseline: z.boolean().optional(),
};
/** Interval readings sent as JSON rows: the start instant with its offset, and the kWh of the interval. */
const intervalRow = z.strictObject({ start: z.string().min(1).max(40), kwh: decimalInput });
const MAX_CSV = 16 * 1024 * 1024;

/** What `POST /rates/quote` prices: a tariff (from the book or given whole), a period, usage and customer facts. */
export const quoteInput = z
  .strictObject({
    tariff_code: tariffCode.optional(),
    tariff: z.record(z.string(), z.unknown()).optional(),
    from: isoDate,
    to: isoDate,
    kwh: decimalInput.optional(),
    demand_kw: decimalInput.optional(),
    /** With kwh, on a time-of-use tariff: the kWh of each period (a register meter with time-of-use registers). */
    kwh_by_period: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "a period name"), decimalInput).optional(),
    intervals: z.array(intervalRow).min(1).max(200_000).optional(),
    intervals_csv: z.string().min(1).max(MAX_CSV).optional(),
    ...facts,
  })
  .superRefine((q, issue) => {
    if ((q.tariff_code === undefined) === (q.tariff === undefined)) {
      issue.addIssue({ code: "custom", path: ["tariff_code"], message: "give exactly one of tariff_code and tariff" });
    }
    const usage = [q.kwh, q.intervals, q.intervals_csv].filter((u) => u !== undefined).length;
    if (usage !== 1) {
      issue.addIssue({
        code: "custom",
        path: ["kwh"],
        message: "give exactly one of kwh, intervals and intervals_csv",
      });
    }
    if (q.kwh === undefined && (q.kwh_by_period !== undefined || q.demand_kw !== undefined)) {
      const field = q.kwh_by_period !== undefined ? "kwh_by_period" : "demand_kw";
      issue.addIssue({ code: "custom", path: [field], message: "only with kwh (intervals give their own)" });
    }
  });
export type QuoteInput = z.infer<typeof quoteInput>;

export const SECTORS = ["residential", "commercial", "industrial", "agricultural", "lighting"] as const;

/** One month of a customer's history: first and last service day, kWh, and the demand register if there is one. */
export const monthInput = z.strictObject({
  from: isoDate,
  to: isoDate,
  kwh: decimalInput,
  demand_kw: decimalInput.optional(),
});

/** What `POST /rates/compare` compares: the tariffs of a sector (or those named) over a customer's usage. */
export const compareInput = z
  .strictObject({
    sector: z.enum(SECTORS).default("residential"),
    tariff_codes: z.array(tariffCode).min(1).max(100).optional(),
    months: z.array(monthInput).min(1).max(36).optional(),
    intervals_csv: z.string().min(1).max(MAX_CSV).optional(),
    ...facts,
  })
  .superRefine((c, issue) => {
    if ((c.months === undefined) === (c.intervals_csv === undefined)) {
      issue.addIssue({ code: "custom", path: ["months"], message: "give exactly one of months and intervals_csv" });
    }
  });
export type CompareInput = z.infer<typeof compareInput>;
