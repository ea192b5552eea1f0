/**
 * Converts OpenEI Utility Rate Database (URDB) rate records into Kilowatt tariff documents
 * (docs/tariff-format.md, "URDB import"), reading each field as NREL's SAM reads it: `rate + adj` for every tier,
 * tier `max` per calendar month in its unit, 12 x 24 weekday and weekend schedules of 0-based period indices,
 * demand as the month's highest kW per demand period and by month for flat demand.
 *
 * Every field of a record is either converted, accepted because it only describes the rate (or cannot change what
 * one meter's usage costs), or refused by name with a RateError: a charge Kilowatt cannot express is never dropped.
 */
import { Decimal } from "decimal.js";
import { RateError } from "./types.js";

type Obj = Record<string, unknown>;

/** Enough digits that adding two numbers read from JSON is exact. */
const Dec = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof Dec>;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * Fields that only describe a rate, or its eligibility, or its publication, and never change what a meter's usage
 * costs. Each is accepted as it is; the record itself is kept beside the converted version by the tariff book.
 * - label, uri, utility, eiaid, name, description, source, sourceparent, country, supersedes, revisions,
 *   latest_update, approved, is_default: identity, provenance and review state.
 * - startdate: becomes the version's effective_from; enddate: Kilowatt ends a version when the next one starts.
 * - sector: becomes the tariff's sector.
 * - basicinformationcomments, energycomments, demandcomments: the editors' notes on the charges already in the
 *   structures (for example what `adj` is made of).
 * - energyattrs, demandattrs: free-form name/value notes (voltage discounts, credits) that URDB keeps outside the
 *   rate structures; SAM does not price them either, and they name no amount that applies to every customer.
 * - voltagecategory, phasewiring, servicetype, voltageminimum, voltagemaximum, peakkwcapacitymin,
 *   peakkwcapacitymax, peakkwcapacityhistory, peakkwhusagemin, peakkwhusagemax, peakkwhusagehistory:
 *   who may take service on the rate, not what it costs.
 * - dgrules: how customer generation is credited (net metering, net billing); Kilowatt prices delivered energy.
 * - demandwindow: the meter's demand interval in minutes; the engine takes demand from the register or the
 *   intervals as metered.
 * - fixedchargesecondmeter: the charge for an additional meter; a quote prices one service point's meter.
 * - energytoulabels, demandtoulabels: the periods' names, used as their labels.
 */
const DESCRIPTIVE = new Set([
  "label",
  "uri",
  "utility",
  "eiaid",
  "name",
  "description",
  "source",
  "sourceparent",
  "country",
  "supersedes",
  "revisions",
  "latest_update",
  "approved",
  "is_default",
  "startdate",
  "enddate",
  "sector",
  "basicinformationcomments",
  "energycomments",
  "demandcomments",
  "energyattrs",
  "demandattrs",
  "voltagecategory",
  "phasewiring",
  "servicetype",
  "voltageminimum",
  "voltagemaximum",
  "peakkwcapacitymin",
  "peakkwcapacitymax",
  "peakkwcapacityhistory",
  "peakkwhusagemin",
  "peakkwhusagemax",
  "peakkwhusagehistory",
  "dgrules",
  "demandwindow",
  "fixedchargesecondmeter",
  "energytoulabels",
  "demandtoulabels",
]);

/** Fields converted into the document, or checked to be inert (zero, empty, or in the one unit Kilowatt uses). */
const CONVERTED = new Set([
  "energyratestructure",
  "energyweekdayschedule",
  "energyweekendschedule",
  "demandratestructure",
  "demandweekdayschedule",
  "demandweekendschedule",
  "flatdemandstructure",
  "flatdemandmonths",
  "fixedmonthlycharge",
  "fixedchargefirstmeter",
  "fixedchargeunits",
  "minmonthlycharge",
  "mincharge",
  "minchargeunits",
  "annualmincharge",
  "demandunits",
  "demandrateunit",
  "flatdemandunit",
  "flatdemandunits",
  "demandratchetpercentage",
  "fueladjustmentsmonthly",
  "lookbackpercent",
  "lookbackrange",
  "lookbackmonths",
  "coincidentratestructure",
  "coincidentrateunit",
  "coincidentschedule",
  "demandreactivepowercharge",
]);

const SECTORS: Record<string, string> = {
  residential: "residential",
  commercial: "commercial",
  industrial: "industrial",
  lighting: "lighting",
  agricultural: "agricultural",
  agriculture: "agricultural",
};

/** Energy tier units as SAM reads them, and the Kilowatt limit each becomes. */
const ENERGY_UNITS: Record<string, string> = {
  kWh: "kwh_per_month",
  "kWh daily": "kwh_per_day",
  "kWh/kW": "kwh_per_kw",
};

interface Tier {
  price: Dec;
  /** Cumulative limit where the tier ends, in the list's unit; absent on the last tier. */
  max?: Dec | undefined;
}
interface TierList {
  tiers: Tier[];
  /** Kilowatt limit unit of the list (energy only). */
  unit?: string | undefined;
}

const plain = (d: Dec): string => (d.isZero() ? "0" : d.toFixed());

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A URDB number (a JSON number, or a decimal in a string) as an exact decimal. */
function num(path: string, v: unknown): Dec {
  if (typeof v === "number" && Number.isFinite(v)) return new Dec(v);
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim())) return new Dec(v.trim());
  throw new RateError(path, `must be a number (found ${JSON.stringify(v)})`);
}
const optNum = (path: string, v: unknown): Dec | undefined =>
  v === undefined || v === null ? undefined : num(path, v);

function list(path: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new RateError(path, "must be a list");
  return v;
}

/** A non-empty value of a field that must be empty for the record to be priced as Kilowatt prices it. */
function hasContent(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.some(hasContent);
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return /^-?[\d.]+$/.test(v.trim()) ? Number(v) !== 0 : true;
  if (isObject(v)) return Object.values(v).some(hasContent);
  return true;
}

function refuseIfSet(r: Obj, field: string, message: string): void {
  if (hasContent(r[field])) throw new RateError(field, message);
}

function unitIs(r: Obj, field: string, expected: string): void {
  const v = r[field];
  if (v === undefined || v === null || v === "") return;
  if (v !== expected)
    throw new RateError(field, `"${String(v)}" is not supported: Kilowatt charges demand in ${expected} only`);
}

/** A 12 x 24 schedule of period indices into a structure of `count` periods. */
function schedule(field: string, v: unknown, structure: string, count: number): number[][] {
  const months = list(field, v);
  if (months.length !== 12)
    throw new RateError(field, `must have 12 months of 24 hours (it has ${months.length} months)`);
  return months.map((m, mi) => {
    const mp = `${field}[${mi}]`;
    const hours = list(mp, m);
    if (hours.length !== 24)
      throw new RateError(
        mp,
        `${MONTH_NAMES[mi]} has ${hours.length} hours: a schedule has 24 hours in each of 12 months`,
      );
    return hours.map((h, hi) => {
      const hp = `${mp}[${hi}]`;
      if (typeof h !== "number" || !Number.isInteger(h) || h < 0)
        throw new RateError(hp, `must be a period index (found ${JSON.stringify(h)})`);
      if (h >= count)
        throw new RateError(
          hp,
          `period ${h} has no entry in ${structure} (which has ${count} period${count === 1 ? "" : "s"}, 0 to ${count - 1})`,
        );
      return h;
    });
  });
}

/** One period's tiers from an energy, demand or flat demand structure. */
function tiers(path: string, v: unknown, kind: "energy" | "demand"): TierList {
  const raw = list(path, v);
  if (raw.length === 0) throw new RateError(path, "a period needs at least one tier");
  let unit: string | undefined;
  let prev: Dec | undefined;
  const allowed = kind === "energy" ? ["rate", "adj", "max", "unit", "sell"] : ["rate", "adj", "max", "unit"];
  const out = raw.map((t, i): Tier => {
    const p = `${path}[${i}]`;
    if (!isObject(t)) throw new RateError(p, "a tier must be an object");
    for (const k of Object.keys(t))
      if (!allowed.includes(k)) throw new RateError(`${p}.${k}`, `is not a ${kind} tier field Kilowatt knows`);
    if (kind === "energy") {
      const sell = optNum(`${p}.sell`, t.sell);
      if (sell && !sell.isZero())
        throw new RateError(`${p}.sell`, "a sell rate prices exported energy, which Kilowatt does not credit");
    }
    let tierUnit: string | undefined;
    if (t.unit !== undefined && t.unit !== null) {
      if (kind === "demand") {
        if (t.unit !== "kW")
          throw new RateError(`${p}.unit`, `"${String(t.unit)}" is not supported: demand tiers are in kW`);
      } else {
        tierUnit = ENERGY_UNITS[String(t.unit)];
        if (!tierUnit)
          throw new RateError(
            `${p}.unit`,
            `"${String(t.unit)}" is not supported (Kilowatt reads ${Object.keys(ENERGY_UNITS).join(", ")})`,
          );
      }
    }
    const price = (optNum(`${p}.rate`, t.rate) ?? new Dec(0)).plus(optNum(`${p}.adj`, t.adj) ?? new Dec(0));
    const max = optNum(`${p}.max`, t.max);
    const last = i === raw.length - 1;
    if (max === undefined && !last)
      throw new RateError(`${p}.max`, `tier ${i + 1} has no max, but only the last tier may be open-ended`);
    // A max on the last tier ends nothing: usage beyond it has no other tier, and SAM prices it at the last tier.
    if (max === undefined || last) return { price };
    if (max.lte(0)) throw new RateError(`${p}.max`, `${plain(max)} must be more than zero`);
    if (prev && max.lte(prev))
      throw new RateError(`${p}.max`, `${plain(max)} is not above the tier below's ${plain(prev)}: tiers must rise`);
    prev = max;
    if (kind === "energy") {
      const u = tierUnit ?? "kwh_per_month";
      if (unit && unit !== u) throw new RateError(`${p}.unit`, "the tiers of one period must share one unit");
      unit = u;
    }
    return { price, max };
  });
  return { tiers: out, unit };
}

function structure(field: string, v: unknown, kind: "energy" | "demand"): TierList[] {
  const periods = list(field, v);
  return periods.map((p, i) => tiers(`${field}[${i}]`, p, kind));
}

const sameLimits = (a: TierList, b: TierList): boolean =>
  a.unit === b.unit &&
  a.tiers.length === b.tiers.length &&
  a.tiers.every((t, i) => {
    const u = b.tiers[i]!.max;
    return t.max === undefined ? u === undefined : u !== undefined && t.max.eq(u);
  });

const isFree = (l: TierList) => l.tiers.every((t) => t.price.isZero());

function energyTiers(l: TierList): Obj[] {
  return l.tiers.map((t, i) => {
    const o: Obj = { price: plain(t.price) };
    if (t.max !== undefined) o.up_to = { [l.unit ?? "kwh_per_month"]: plain(t.max) };
    if (l.tiers.length > 1) o.label = `Tier ${i + 1}`;
    return o;
  });
}

function demandTiers(l: TierList): Obj[] {
  return l.tiers.map((t) =>
    t.max === undefined ? { price: plain(t.price) } : { price: plain(t.price), up_to_kw: plain(t.max) },
  );
}

/** A period's tiers reshaped to another list's limits, for a month in which the period is never in force. */
function onLimits(l: TierList, limits: TierList): TierList {
  if (sameLimits(l, limits)) return l;
  return {
    unit: limits.unit,
    tiers: limits.tiers.map((t, i) => ({ price: l.tiers[Math.min(i, l.tiers.length - 1)]!.price, max: t.max })),
  };
}

/** A 24-hour row of period indices as hour ranges. */
function ranges(row: number[], name: (i: number) => string): Obj[] {
  const out: Obj[] = [];
  let from = 0;
  for (let h = 1; h <= 24; h++)
    if (h === 24 || row[h] !== row[from]) {
      out.push({ from, to: h, period: name(row[from]!) });
      from = h;
    }
  return out;
}

function label(labels: unknown, i: number, fallback: string): string {
  const l = Array.isArray(labels) ? labels[i] : undefined;
  return typeof l === "string" && l.trim() !== "" ? l.trim().slice(0, 60) : fallback;
}

function used(weekday: number[][], weekend: number[][], m: number): number[] {
  return [...new Set([...weekday[m]!, ...weekend[m]!])].sort((a, b) => a - b);
}

function effectiveFrom(v: unknown): string {
  if (v === undefined || v === null) return "2000-01-01";
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new RateError("startdate", `must be a time in seconds since 1970 (found ${JSON.stringify(v)})`);
  const d = new Date(v * 1000);
  if (Number.isNaN(d.getTime())) throw new RateError("startdate", `${v} is not a time`);
  return d.toISOString().slice(0, 10);
}

/** A tariff code from the rate's name: upper case, runs of other characters as "-", at most 40 characters. */
function codeFrom(name: unknown, label: unknown): string {
  const clean = (s: string) =>
    s
      .toUpperCase()
      .replace(/[^A-Z0-9._-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[-_.]+/, "")
      .slice(0, 40)
      .replace(/[-_.]+$/, "");
  const fromName = typeof name === "string" ? clean(name) : "";
  if (fromName) return fromName;
  const fromLabel = typeof label === "string" ? clean(`URDB-${label}`) : "";
  if (fromLabel) return fromLabel;
  throw new RateError("name", "a record without a name or label needs a code");
}

function customerCharge(r: Obj): Obj | undefined {
  const monthly = optNum("fixedmonthlycharge", r.fixedmonthlycharge);
  const first = optNum("fixedchargefirstmeter", r.fixedchargefirstmeter);
  let charge: { price: Dec; per: "day" | "month" } | undefined;
  if (first && !first.isZero()) {
    const units = r.fixedchargeunits;
    if (units === undefined || units === null || units === "")
      throw new RateError("fixedchargeunits", "is required with fixedchargefirstmeter ($/month or $/day)");
    if (units !== "$/month" && units !== "$/day")
      throw new RateError("fixedchargeunits", `"${String(units)}" is not supported (Kilowatt reads $/month and $/day)`);
    charge = { price: first, per: units === "$/day" ? "day" : "month" };
  }
  if (monthly && !monthly.isZero()) {
    if (charge && !(charge.per === "month" && charge.price.eq(monthly)))
      throw new RateError(
        "fixedchargefirstmeter",
        "differs from fixedmonthlycharge: the record gives two fixed charges",
      );
    charge = { price: monthly, per: "month" };
  }
  if (!charge) return undefined;
  if (charge.price.isNegative())
    throw new RateError(
      monthly ? "fixedmonthlycharge" : "fixedchargefirstmeter",
      "a fixed charge must not be negative",
    );
  return { price: plain(charge.price), per: charge.per };
}

function minimumCharge(r: Obj): Obj | undefined {
  const monthly = optNum("minmonthlycharge", r.minmonthlycharge);
  const other = optNum("mincharge", r.mincharge);
  let charge: { price: Dec; per: "day" | "month" } | undefined;
  if (other && !other.isZero()) {
    const units = r.minchargeunits;
    if (units !== "$/month" && units !== "$/day")
      throw new RateError("minchargeunits", `"${String(units)}" is not supported (Kilowatt reads $/month and $/day)`);
    charge = { price: other, per: units === "$/day" ? "day" : "month" };
  }
  if (monthly && !monthly.isZero()) {
    if (charge && !(charge.per === "month" && charge.price.eq(monthly)))
      throw new RateError("mincharge", "differs from minmonthlycharge: the record gives two minimum charges");
    charge = { price: monthly, per: "month" };
  }
  if (!charge) return undefined;
  if (charge.price.isNegative())
    throw new RateError(monthly ? "minmonthlycharge" : "mincharge", "a minimum charge must not be negative");
  // URDB's minimum tops up the whole bill, the fixed charge included.
  return { price: plain(charge.price), per: charge.per, applies_to: ["customer_charge", "energy", "demand"] };
}

/** Converts one URDB rate record into a Kilowatt tariff document (format kilowatt-tariff/1). */
export function urdbToDocument(record: unknown, options: { code?: string; timeZone?: string } = {}): object {
  if (!isObject(record)) throw new RateError("record", "a URDB rate record is a JSON object");
  const r = record;
  for (const k of Object.keys(r))
    if (!DESCRIPTIVE.has(k) && !CONVERTED.has(k))
      throw new RateError(k, "is not a URDB field Kilowatt knows; it may change the price, so the record is refused");

  // Charges Kilowatt does not model: refused when they are present and not zero.
  refuseIfSet(
    r,
    "demandratchetpercentage",
    "a demand ratchet bills a share of earlier months' demand, which Kilowatt does not model",
  );
  refuseIfSet(
    r,
    "lookbackpercent",
    "a lookback bills a share of earlier months' demand, which Kilowatt does not model",
  );
  refuseIfSet(r, "fueladjustmentsmonthly", "monthly fuel adjustments are not modelled by Kilowatt");
  refuseIfSet(r, "coincidentratestructure", "coincident demand charges are not modelled by Kilowatt");
  refuseIfSet(r, "demandreactivepowercharge", "reactive power charges are not modelled by Kilowatt");
  refuseIfSet(r, "annualmincharge", "an annual minimum is not modelled by Kilowatt");
  unitIs(r, "demandunits", "kW");
  unitIs(r, "demandrateunit", "kW");
  unitIs(r, "flatdemandunit", "kW");
  unitIs(r, "flatdemandunits", "kW");

  const sectorText = typeof r.sector === "string" ? r.sector.trim().toLowerCase() : "";
  const sector = SECTORS[sectorText];
  if (!sector)
    throw new RateError(
      "sector",
      r.sector === undefined
        ? "is required: a comparison offers a tariff to accounts of its sector"
        : `"${String(r.sector)}" is not a sector Kilowatt knows (Residential, Commercial, Industrial, Lighting, Agricultural)`,
    );

  // Energy
  if (r.energyratestructure === undefined) throw new RateError("energyratestructure", "is required");
  const energy = structure("energyratestructure", r.energyratestructure, "energy");
  if (energy.length === 0) throw new RateError("energyratestructure", "needs at least one period");
  let weekday: number[][];
  let weekend: number[][];
  if (r.energyweekdayschedule === undefined && r.energyweekendschedule === undefined && energy.length === 1) {
    weekday = MONTHS.map(() => new Array<number>(24).fill(0));
    weekend = weekday;
  } else {
    weekday = schedule("energyweekdayschedule", r.energyweekdayschedule, "energyratestructure", energy.length);
    weekend = schedule("energyweekendschedule", r.energyweekendschedule, "energyratestructure", energy.length);
  }
  const byMonth = MONTHS.map((_, m) => used(weekday, weekend, m));
  const timeOfUse = byMonth.some((u) => u.length > 1);
  const energyName = (i: number) => `p${i + 1}`;
  const energyDoc: Obj = {};
  let usesKwhPerKw = false;
  let timeOfUseDoc: Obj | undefined;
  if (!timeOfUse) {
    for (const [m, [i]] of byMonth.entries()) {
      const l = energy[i!]!;
      usesKwhPerKw ||= l.unit === "kwh_per_kw";
      energyDoc[MONTHS[m]!] = energyTiers(l);
    }
  } else {
    const periods = [...new Set(byMonth.flat())].sort((a, b) => a - b);
    for (const [m, inForce] of byMonth.entries()) {
      const shared = energy[inForce[0]!]!;
      for (const i of inForce.slice(1))
        if (!sameLimits(shared, energy[i]!))
          throw new RateError(
            "energyratestructure",
            `periods ${inForce[0]} and ${i} are both in force in ${MONTH_NAMES[m]} but have different tier limits; ` +
              "tiers apply to the month's total kWh, so every period of a month must share them",
          );
      usesKwhPerKw ||= shared.unit === "kwh_per_kw";
      const byPeriod: Obj = {};
      // The format wants every period in every month with the month's tier limits; a period the month's schedule
      // never uses is never priced in that month, and carries its own prices on the month's limits.
      for (const i of periods)
        byPeriod[energyName(i)] = energyTiers(inForce.includes(i) ? energy[i]! : onLimits(energy[i]!, shared));
      energyDoc[MONTHS[m]!] = byPeriod;
    }
    timeOfUseDoc = {
      periods: periods.map((i) => ({ name: energyName(i), label: label(r.energytoulabels, i, `Period ${i + 1}`) })),
      schedule: Object.fromEntries(
        MONTHS.map((mon, m) => [
          mon,
          { weekday: ranges(weekday[m]!, energyName), weekend: ranges(weekend[m]!, energyName) },
        ]),
      ),
    };
  }

  // Demand: by demand period with its schedules, and flat demand by month.
  const demandDoc: Record<string, Obj> = {};
  const demandOf = (m: number): Obj => {
    const key = MONTHS[m]!;
    demandDoc[key] ??= {};
    return demandDoc[key];
  };
  let demandScheduleDoc: Obj | undefined;
  const demand =
    r.demandratestructure === undefined || r.demandratestructure === null
      ? []
      : structure("demandratestructure", r.demandratestructure, "demand");
  if (demand.length > 0) {
    const dWeekday = schedule("demandweekdayschedule", r.demandweekdayschedule, "demandratestructure", demand.length);
    const dWeekend = schedule("demandweekendschedule", r.demandweekendschedule, "demandratestructure", demand.length);
    const dByMonth = MONTHS.map((_, m) => used(dWeekday, dWeekend, m));
    const charged = (i: number) => usesKwhPerKw || !isFree(demand[i]!);
    if (dByMonth.some((u) => u.some(charged))) {
      const periods = [...new Set(dByMonth.flat())].sort((a, b) => a - b);
      const demandName = (i: number) => `d${i + 1}`;
      demandScheduleDoc = {
        periods: periods.map((i) => ({
          name: demandName(i),
          label: label(r.demandtoulabels, i, `Period ${i + 1}`),
        })),
        schedule: Object.fromEntries(
          MONTHS.map((mon, m) => [
            mon,
            { weekday: ranges(dWeekday[m]!, demandName), weekend: ranges(dWeekend[m]!, demandName) },
          ]),
        ),
      };
      for (const [m, inForce] of dByMonth.entries())
        for (const i of inForce.filter(charged)) demandOf(m)[demandName(i)] = demandTiers(demand[i]!);
    }
  }
  const flat =
    r.flatdemandstructure === undefined || r.flatdemandstructure === null
      ? []
      : structure("flatdemandstructure", r.flatdemandstructure, "demand");
  if (flat.length > 0) {
    const months = list("flatdemandmonths", r.flatdemandmonths ?? null);
    if (months.length !== 12) throw new RateError("flatdemandmonths", `must give 12 months (it has ${months.length})`);
    for (const [m, i] of months.entries()) {
      if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= flat.length)
        throw new RateError(
          `flatdemandmonths[${m}]`,
          `${JSON.stringify(i)} has no entry in flatdemandstructure (which has ${flat.length} period${flat.length === 1 ? "" : "s"})`,
        );
      if (usesKwhPerKw || !isFree(flat[i]!)) demandOf(m).all = demandTiers(flat[i]!);
    }
  }
  if (usesKwhPerKw && Object.keys(demandDoc).length === 0)
    throw new RateError("energyratestructure", "tiers in kWh/kW need the demand the record does not charge");

  const version: Obj = {
    effective_from: effectiveFrom(r.startdate),
    seasons: MONTHS.map((name, m) => ({ name, from: `${String(m + 1).padStart(2, "0")}-01` })),
  };
  const customer = customerCharge(r);
  if (customer) version.customer_charge = customer;
  const minimum = minimumCharge(r);
  if (minimum) version.minimum_charge = minimum;
  if (timeOfUseDoc) version.time_of_use = timeOfUseDoc;
  version.energy = energyDoc;
  if (Object.keys(demandDoc).length > 0) {
    if (demandScheduleDoc) version.demand_schedule = demandScheduleDoc;
    version.demand = demandDoc;
  }

  const utility = typeof r.utility === "string" && r.utility.trim() !== "" ? r.utility.trim() : undefined;
  const urdbLabel = typeof r.label === "string" && r.label.trim() !== "" ? r.label.trim() : undefined;
  const name =
    typeof r.name === "string" && r.name.trim() !== ""
      ? r.name.trim().slice(0, 200)
      : urdbLabel
        ? `URDB rate ${urdbLabel}`
        : undefined;
  if (!name) throw new RateError("name", "a URDB record needs a name or a label");
  const description = [
    utility ? `${utility} rate` : "Rate",
    "from the OpenEI Utility Rate Database",
    urdbLabel ? `(URDB label ${urdbLabel})` : "",
  ]
    .filter(Boolean)
    .join(" ");

  const doc: Obj = {
    format: "kilowatt-tariff/1",
    code: options.code ?? codeFrom(r.name, r.label),
    name,
    sector,
    time_zone: options.timeZone ?? "America/Los_Angeles",
    description: `${description}.`,
  };
  if (urdbLabel) doc.source = `https://apps.openei.org/USURDB/rate/view/${encodeURIComponent(urdbLabel)}`;
  doc.versions = [version];
  return doc;
}

/** The rate records of a URDB file: one record, a list of them, or the API's `{ "items": [...] }`. */
export function readUrdbFile(json: unknown): unknown[] {
  let records: unknown[];
  if (Array.isArray(json)) records = json;
  else if (isObject(json) && "items" in json) records = list("items", json.items);
  else if (isObject(json)) records = [json];
  else throw new RateError("file", 'must be a URDB rate record, a list of records, or { "items": [...] }');
  if (records.length === 0) throw new RateError("items", "the file has no rate records");
  for (const [i, rec] of records.entries())
    if (!isObject(rec)) throw new RateError(`items[${i}]`, "a URDB rate record is a JSON object");
  return records;
}
