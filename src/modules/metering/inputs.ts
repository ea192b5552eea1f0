import { z } from "zod";
import { idParam, isoDate } from "../parties/index.js";

/** A dial reading or demand, as a decimal string or a number: 0 or more, up to 3 decimals. */
export const decimal = z
  .union([
    z.number().min(0).max(999_999_999_999),
    z.string().regex(/^\d{1,12}(\.\d{1,3})?$/, "a number, 0 or more, up to 3 decimals (12034 or 12034.5)"),
  ])
  .transform((v) => (typeof v === "number" ? String(v) : v))
  .refine((v) => /^\d{1,12}(\.\d{1,3})?$/.test(v), "at most 3 decimals");

export const meterParams = z.object({
  meter_number: z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,19}$/, "1-20 capital letters, digits and '-'"),
});
export const readIdParams = z.object({ id: idParam });

const keyedRead = z.strictObject({
  read_on: isoDate,
  reading: decimal,
  demand_kw: decimal.nullish(),
  /** actual (read by the utility) or customer (read by the customer). */
  kind: z.enum(["actual", "customer"]).default("actual"),
});

/** One read ({read_on, reading, ...}), or several of the same meter as `reads`. */
export const keyReadsBody = z
  .strictObject({
    reads: z.array(keyedRead).min(1).max(400).optional(),
    read_on: isoDate.optional(),
    reading: decimal.optional(),
    demand_kw: decimal.nullish(),
    kind: z.enum(["actual", "customer"]).optional(),
  })
  .superRefine((b, ctx) => {
    const single = (["read_on", "reading", "demand_kw", "kind"] as const).filter((f) => b[f] !== undefined);
    if (b.reads) {
      for (const f of single) ctx.addIssue({ code: "custom", path: [f], message: "either reads or one read's fields" });
      return;
    }
    if (b.read_on === undefined) ctx.addIssue({ code: "custom", path: ["read_on"], message: "required" });
    if (b.reading === undefined) ctx.addIssue({ code: "custom", path: ["reading"], message: "required" });
  });
export type KeyReadsBody = z.infer<typeof keyReadsBody>;

export const readsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  status: z.enum(["valid", "exception", "replaced"]).optional(),
  include_replaced: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

export const acceptBody = z.strictObject({ version: z.number().int(), note: z.string().trim().max(500).nullish() });
export const replaceBody = z.strictObject({
  version: z.number().int(),
  reading: decimal,
  demand_kw: decimal.nullish(),
  kind: z.enum(["actual", "customer"]).default("actual"),
  note: z.string().trim().max(500).nullish(),
});

export const rangeQuery = z.strictObject({ from: isoDate, to: isoDate });

export const importQuery = z.strictObject({
  file_name: z.string().trim().min(1).max(200).optional(),
  /** For a Green Button file of several usage points: usage point id=meter number, comma-separated. */
  usage_points: z.string().max(4000).optional(),
});

/** A file in a JSON body: reads or intervals as CSV text, or a Green Button file as XML text. */
export const fileBody = z.union([
  z.strictObject({ csv: z.string().min(1), file_name: z.string().trim().min(1).max(200).optional() }),
  z.strictObject({ xml: z.string().min(1), file_name: z.string().trim().min(1).max(200).optional() }),
]);
