/** The compiled form of a tariff, what the engine prices from (built by parse.ts from a tariff document). */
import type { Q, Rounding } from "./exact.js";
import type { LineKind } from "./types.js";

export type LimitUnit = "baseline_percent" | "kwh_per_day" | "kwh_per_month" | "kwh_per_kw";

export interface Tier {
  price: Q;
  priceText: string;
  /** Cumulative limit where this tier ends, in the list's unit; absent on the last tier. */
  upTo?: Q | undefined;
  label?: string | undefined;
}

export interface TierList {
  tiers: Tier[];
  unit?: LimitUnit | undefined;
  /** Document path of the list, for errors. */
  path: string;
  /** The path within its version, for rule ids (energy.summer.all). */
  rule: string;
}

/** Period index by local clock hour, for weekdays and for weekends and holidays. */
export interface DayRows {
  weekday: Int8Array;
  weekend: Int8Array;
}

export type HolidayRule =
  | { kind: "fixed"; m: number; d: number }
  | { kind: "nth"; m: number; weekday: number; nth: number }
  | { kind: "date"; day: number };

export interface Named {
  name: string;
  label?: string | undefined;
}

export interface Season extends Named {
  m: number;
  d: number;
}

export interface PerUnit {
  price: Q;
  priceText: string;
  per: "day" | "month";
  label: string;
}

export interface Percentage {
  name: string;
  label: string;
  /** The fraction (0.35 for 35 %). */
  rate: Q;
  appliesTo: ReadonlySet<LineKind>;
  program?: "care" | "fera" | "medical_baseline" | undefined;
}

export interface Version {
  code: string;
  effectiveFrom: string;
  /** effectiveFrom as an epoch day. */
  day: number;
  rounding: Rounding;
  /** How a part of a month is measured: by its calendar month's days, an average month (365/12 days) or 30 days. */
  monthBasis: "calendar" | "average_month" | "30_days";
  /** Round each tier limit to a whole kWh (half up), as some utilities count tiers. */
  wholeKwhLimits: boolean;
  /** Whether anything is priced per month with calendar months, so the period must be split at month ends. */
  splitMonths: boolean;
  seasons: Season[];
  customerCharge?: PerUnit | undefined;
  minimumCharge?: (PerUnit & { appliesTo: ReadonlySet<LineKind> }) | undefined;
  baseline?:
    | {
        /** kWh per day by territory, one per season. */
        perDay: Map<string, Q[]>;
        medicalPerDay?: Q | undefined;
        medicalPerMonth?: Q | undefined;
      }
    | undefined;
  /** Energy periods; a single `all` without time of use. */
  periods: Named[];
  /** Per season; null without time of use. */
  schedule: DayRows[] | null;
  holidays: HolidayRule[];
  /** [season][period] */
  energy: TierList[][];
  baselineCredit?: { price: Q; priceText: string; label: string } | undefined;
  /** Scheduled demand periods (from demand_schedule, else the energy periods). */
  demandPeriods: Named[];
  demandSchedule: DayRows[] | null;
  /** [season]: the flat (`all`) demand tiers, and tiers by scheduled demand period index. */
  demand: { all?: TierList | undefined; byPeriod: Map<number, TierList> }[];
  hasDemand: boolean;
  surcharges: { name: string; label: string; price: Q; priceText: string }[];
  discounts: Percentage[];
  credits: { name: string; label: string; amount: Q; amountText: string; months: ReadonlySet<number> }[];
  taxes: Percentage[];
}

export interface Tariff {
  code: string;
  name: string;
  sector: string;
  timeZone: string;
  description?: string | undefined;
  source?: string | undefined;
  /** The validated document, as given. */
  document: Record<string, unknown>;
  /** Ascending by effective date. */
  versions: Version[];
  hasBaseline: boolean;
  hasTimeOfUse: boolean;
  hasDemand: boolean;
  /** Energy period names across versions. */
  periodNames: string[];
  territories: string[];
}
