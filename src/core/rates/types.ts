/** The rate engine's public types: what goes in (a tariff, the customer's facts, a period, usage) and what comes out. */

/** The customer facts a tariff may depend on. */
export interface Facts {
  /** Baseline territory letter, e.g. "T". Required by tariffs with a baseline allowance. */
  territory?: string | undefined;
  medicalBaseline?: boolean | undefined;
  care?: boolean | undefined;
  fera?: boolean | undefined;
}

/** First and last service day, inclusive, as YYYY-MM-DD. */
export interface Period {
  from: string;
  to: string;
}

/** Usage for a period: a register total, or intervals. */
export type Usage = RegisterUsage | IntervalUsage;

export interface RegisterUsage {
  kind: "register";
  /** Decimal kWh, e.g. "512.4". */
  kwh: string;
  /** The demand register's kW, for tariffs with demand charges. */
  demandKw?: string | undefined;
  /** kWh by time-of-use period name, for register meters with time-of-use registers. */
  kwhByPeriod?: Record<string, string> | undefined;
}

export interface IntervalUsage {
  kind: "intervals";
  series: IntervalSeries;
}

/**
 * Interval readings, sorted by start, not overlapping, all of one length. Energy is held as integers of
 * micro-kWh (1e-6 kWh) so the hot loop adds exact integers.
 */
export interface IntervalSeries {
  /** Start of each interval, epoch milliseconds. */
  startMs: Float64Array;
  /** Energy of each interval, micro-kWh (exact integers held in a double). */
  microKwh: Float64Array;
  /** Interval length in minutes (15, 30, 60, ...). */
  minutes: number;
}

export type LineKind =
  | "customer_charge"
  | "minimum_charge"
  | "energy"
  | "baseline_credit"
  | "demand"
  | "surcharge"
  | "discount"
  | "credit"
  | "tax";

/** One bill line. Money is bigint cents; quantity and price are decimal strings. */
export interface Line {
  description: string;
  quantity: string;
  unit: string;
  price: string;
  amountCents: bigint;
  kind: LineKind;
  /** The tariff rule it came from, e.g. "E-1@2025-03-01 energy.summer.all[0]". */
  rule: string;
}

export interface Quote {
  tariffCode: string;
  /** effective_from of each version the period used. */
  versions: string[];
  period: Period;
  days: number;
  lines: Line[];
  totalCents: bigint;
  /** Usage the quote priced, kWh as a decimal string. */
  kwh: string;
}

/** A refused tariff, period or usage; `path` names the field (e.g. "versions[0].energy.summer[1].up_to"). */
export class RateError extends Error {
  constructor(
    public readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "RateError";
  }
}
