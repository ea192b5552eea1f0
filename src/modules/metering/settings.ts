import { z } from "zod";
import { defineSetting } from "../../platform/settings.js";

/** How register reads are checked before they are billed. */
export interface ReadValidation {
  /** A read whose kWh a day is more than this many times the average of the recent periods is held (high_usage). */
  high_factor: number;
  /** A read whose kWh a day is less than this share of the average of the recent periods is held (low_usage). */
  low_factor: number;
  /** How many earlier periods (actual or customer reads) the average needs before high and low are checked. */
  history_periods: number;
  /**
   * A reading below the previous one is a rollover of the dials when the previous was in the top band of the dial
   * range (at least (1 - band) x 10^dials) and the new one is in the bottom band (below band x 10^dials).
   */
  rollover_band: number;
}

export const readValidation = defineSetting<ReadValidation>({
  key: "reads.validation",
  description:
    "How register reads are checked: a read is held as high_usage when its kWh a day is above high_factor times " +
    "the average of the last history_periods periods, as low_usage below low_factor times it (only once that many " +
    "periods exist); a lower reading is a rollover of the dials only when the previous reading was within " +
    "rollover_band of the top of the dial range and the new one within rollover_band of zero, else negative_usage",
  schema: z
    .strictObject({
      high_factor: z.number().min(1).max(100),
      low_factor: z.number().min(0).max(1),
      history_periods: z.number().int().min(1).max(24),
      rollover_band: z.number().gt(0).max(0.5),
    })
    .refine((v) => v.low_factor < v.high_factor, "low_factor must be below high_factor"),
  default: { high_factor: 3, low_factor: 0.2, history_periods: 3, rollover_band: 0.1 },
});
