import { z } from "zod";
import { isoDate } from "../parties/index.js";

/** Baseline territories: the letter that sets a premise's baseline allowance. */
export const BASELINE_TERRITORIES = ["P", "Q", "R", "S", "T", "V", "W", "X", "Y", "Z"] as const;
export const METER_KINDS = ["register", "interval"] as const;
export const REGISTER_UNITS = ["kWh", "kW", "kVARh"] as const;

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().trim().min(1).max(max);

const premiseFields = {
  address_line1: text(100),
  address_line2: z.string().trim().max(100).nullish(),
  city: text(60),
  state: z.string().regex(/^[A-Z]{2}$/, "two capital letters (CA)"),
  zip: z.string().regex(/^\d{5}(-\d{4})?$/, "a ZIP code: 12345 or 12345-6789"),
  baseline_territory: z.enum(BASELINE_TERRITORIES),
  climate_zone: z.number().int().min(1).max(16).nullish(),
  tax_jurisdiction: text(100),
};

/** A service address. */
export const premiseInput = z.strictObject({ ...premiseFields, state: premiseFields.state.default("CA") });
export type PremiseInput = z.infer<typeof premiseInput>;

export const premiseChange = z.strictObject({
  version: z.number().int(),
  address_line1: premiseFields.address_line1.optional(),
  address_line2: premiseFields.address_line2,
  city: premiseFields.city.optional(),
  state: premiseFields.state.optional(),
  zip: premiseFields.zip.optional(),
  baseline_territory: premiseFields.baseline_territory.optional(),
  climate_zone: premiseFields.climate_zone,
  tax_jurisdiction: premiseFields.tax_jurisdiction.optional(),
});
export type PremiseChange = z.infer<typeof premiseChange>;

/** Where service is delivered at a premise. */
export const servicePointInput = z.strictObject({
  kind: z.enum(["electric"]).default("electric"),
  description: z.string().trim().max(200).nullish(),
});
export type ServicePointInput = z.infer<typeof servicePointInput>;

/** A meter multiplier (CT/PT ratio): a positive decimal, as a string or a number. */
const multiplier = z.union([
  z.number().positive().max(1_000_000),
  z.string().regex(/^\d{1,7}(\.\d{1,6})?$/, "a positive decimal (1, 40, 0.5)"),
]);

const register = z.strictObject({
  unit: z.enum(REGISTER_UNITS),
  dials: z.number().int().min(3).max(9),
  /** For time-of-use registers: the period accumulated (peak, off_peak, ...). */
  tou_period: z
    .string()
    .regex(/^[a-z][a-z_]{0,29}$/, "a period name (peak, off_peak)")
    .nullish(),
});

/** A meter: number, register or interval, its registers and multiplier. */
export const meterInput = z
  .strictObject({
    meter_number: z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,19}$/, "1-20 capital letters, digits and '-'"),
    kind: z.enum(METER_KINDS),
    interval_minutes: z.union([z.literal(5), z.literal(15), z.literal(30), z.literal(60)]).nullish(),
    multiplier: multiplier.default("1"),
    manufacturer: z.string().trim().max(100).nullish(),
    registers: z.array(register).min(1).max(8),
  })
  .superRefine((m, ctx) => {
    if (m.kind === "interval" && !m.interval_minutes) {
      ctx.addIssue({ code: "custom", path: ["interval_minutes"], message: "an interval meter needs its interval" });
    }
    if (m.kind === "register" && m.interval_minutes) {
      ctx.addIssue({ code: "custom", path: ["interval_minutes"], message: "only interval meters have an interval" });
    }
  });
export type MeterInput = z.infer<typeof meterInput>;

export const meterChange = z.strictObject({
  version: z.number().int(),
  multiplier: multiplier.optional(),
  manufacturer: z.string().trim().max(100).nullish(),
});
export type MeterChange = z.infer<typeof meterChange>;

/** Installs a meter at a service point (with the meter's version read). */
export const installInput = z.strictObject({
  version: z.number().int(),
  service_point_id: id,
  installed_on: isoDate.optional(),
});
export type InstallInput = z.infer<typeof installInput>;

export const removeInput = z.strictObject({ version: z.number().int(), removed_on: isoDate.optional() });
export type RemoveInput = z.infer<typeof removeInput>;
