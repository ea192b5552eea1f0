/** Validates a Kilowatt tariff document (docs/tariff-format.md) and compiles it for the engine. */
import { isTimeZone, parseIsoDate } from "./calendar.js";
import { cmp, parseDecimal, type Q, type Rounding } from "./exact.js";
import type {
  DayRows,
  HolidayRule,
  LimitUnit,
  Named,
  Percentage,
  PerUnit,
  Season,
  Tariff,
  Tier,
  TierList,
  Version,
} from "./model.js";
import { type LineKind, RateError } from "./types.js";

type Obj = Record<string, unknown>;

export const SECTORS = ["residential", "commercial", "industrial", "agricultural", "lighting"] as const;
const KINDS: LineKind[] = [
  "customer_charge",
  "minimum_charge",
  "energy",
  "baseline_credit",
  "demand",
  "surcharge",
  "discount",
  "credit",
  "tax",
];
const CHARGES: LineKind[] = ["customer_charge", "energy", "baseline_credit", "demand"];
const DISCOUNTABLE: LineKind[] = ["customer_charge", "minimum_charge", "energy", "baseline_credit", "demand"];
const TAXABLE: LineKind[] = KINDS.filter((k) => k !== "tax");
const LIMIT_UNITS: LimitUnit[] = ["baseline_percent", "kwh_per_day", "kwh_per_month", "kwh_per_kw"];
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

function object(path: string, v: unknown, allowed: readonly string[], required: readonly string[] = []): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new RateError(path || "tariff", "must be an object");
  const o = v as Obj;
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw new RateError(at(path, k), `is not a field of the Kilowatt tariff format (allowed: ${allowed.join(", ")})`);
  for (const k of required) if (o[k] === undefined) throw new RateError(at(path, k), "is required");
  return o;
}
const at = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function text(path: string, v: unknown, max = 200): string {
  if (typeof v !== "string" || v.trim() === "") throw new RateError(path, "must be a non-empty string");
  if (v.length > max) throw new RateError(path, `must be at most ${max} characters`);
  return v;
}
function optText(path: string, v: unknown, max = 2000): string | undefined {
  return v === undefined ? undefined : text(path, v, max);
}
function name(path: string, v: unknown): string {
  const s = text(path, v);
  if (!NAME.test(s))
    throw new RateError(path, `"${s}" must be lowercase letters, digits and _ (starting with a letter)`);
  return s;
}
function decimal(path: string, v: unknown, opts: { min?: "positive" | "non-negative" } = {}): { q: Q; text: string } {
  if (typeof v !== "string") throw new RateError(path, 'must be a decimal string such as "0.33524"');
  const q = parseDecimal(v);
  if (!q) throw new RateError(path, `"${v}" is not a decimal number`);
  if (opts.min === "positive" && q.n <= 0n) throw new RateError(path, `${v} must be more than zero`);
  if (opts.min === "non-negative" && q.n < 0n) throw new RateError(path, `${v} must not be negative`);
  return { q, text: v };
}
function array(path: string, v: unknown, minLength = 0): unknown[] {
  if (!Array.isArray(v)) throw new RateError(path, "must be a list");
  if (v.length < minLength)
    throw new RateError(path, `must have at least ${minLength} entr${minLength === 1 ? "y" : "ies"}`);
  return v;
}
function kinds(path: string, v: unknown, fallback: LineKind[], allowed: LineKind[]): ReadonlySet<LineKind> {
  if (v === undefined) return new Set(fallback);
  return new Set(
    array(path, v, 1).map((k, i) => {
      if (!allowed.includes(k as LineKind))
        throw new RateError(at(path, i), `"${String(k)}" is not one of ${allowed.join(", ")}`);
      return k as LineKind;
    }),
  );
}
function monthDay(path: string, v: unknown): { m: number; d: number } {
  const s = text(path, v);
  const m = /^(\d{2})-(\d{2})$/.exec(s);
  const mo = Number(m?.[1]);
  const d = Number(m?.[2]);
  if (!m || mo < 1 || mo > 12 || d < 1 || d > [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!)
    throw new RateError(path, `"${s}" must be a day of the year as MM-DD`);
  return { m: mo, d };
}

function seasons(path: string, v: unknown): Season[] {
  if (v === undefined) return [{ name: "all", m: 1, d: 1 }];
  const list = array(path, v, 1).map((s, i) => {
    const p = at(path, i);
    const o = object(p, s, ["name", "label", "from"], ["name", "from"]);
    return {
      name: name(at(p, "name"), o.name),
      label: optText(at(p, "label"), o.label, 60),
      ...monthDay(at(p, "from"), o.from),
    };
  });
  const sorted = [...list].sort((a, b) => a.m * 100 + a.d - (b.m * 100 + b.d));
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.m === b.m && a.d === b.d) throw new RateError(path, `seasons ${a.name} and ${b.name} start on the same day`);
  }
  const names = new Set<string>();
  for (const s of sorted) {
    if (names.has(s.name)) throw new RateError(path, `season ${s.name} appears twice`);
    names.add(s.name);
  }
  return sorted;
}

function perUnit(path: string, v: unknown, label: string, extra: string[] = []): PerUnit & { o: Obj } {
  const o = object(path, v, ["price", "per", "label", ...extra], ["price", "per"]);
  if (o.per !== "day" && o.per !== "month")
    throw new RateError(at(path, "per"), `"${String(o.per)}" must be "day" or "month"`);
  const price = decimal(at(path, "price"), o.price, { min: "non-negative" });
  return {
    price: price.q,
    priceText: price.text,
    per: o.per,
    label: optText(at(path, "label"), o.label, 80) ?? label,
    o,
  };
}

function rows(path: string, v: unknown, periods: Named[]): Int8Array {
  const row = new Int8Array(24).fill(-1);
  for (const [i, r] of array(path, v, 1).entries()) {
    const p = at(path, i);
    const o = object(p, r, ["from", "to", "period"], ["from", "to", "period"]);
    const from = o.from;
    const to = o.to;
    if (typeof from !== "number" || !Number.isInteger(from) || from < 0 || from > 23)
      throw new RateError(at(p, "from"), "must be an hour from 0 to 23");
    if (typeof to !== "number" || !Number.isInteger(to) || to <= from || to > 24)
      throw new RateError(at(p, "to"), `must be an hour after ${from}, at most 24`);
    const period = periods.findIndex((x) => x.name === o.period);
    if (period < 0)
      throw new RateError(
        at(p, "period"),
        `unknown period "${String(o.period)}" (periods: ${periods.map((x) => x.name).join(", ")})`,
      );
    for (let h = from; h < to; h++) {
      if (row[h] !== -1) throw new RateError(p, `hour ${h} is already in period ${periods[row[h]!]!.name}`);
      row[h] = period;
    }
  }
  const missing = [...row.keys()].filter((h) => row[h] === -1);
  if (missing.length > 0)
    throw new RateError(
      path,
      `hour${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ha${missing.length > 1 ? "ve" : "s"} no period`,
    );
  return row;
}

function schedule(path: string, v: unknown, periods: Named[], ss: Season[]): DayRows[] {
  const o = object(
    path,
    v,
    ss.map((s) => s.name),
  );
  return ss.map((s) => {
    const p = at(path, s.name);
    if (o[s.name] === undefined) throw new RateError(p, `season ${s.name} has no schedule`);
    const day = object(p, o[s.name], ["weekday", "weekend"], ["weekday", "weekend"]);
    return {
      weekday: rows(at(p, "weekday"), day.weekday, periods),
      weekend: rows(at(p, "weekend"), day.weekend, periods),
    };
  });
}

function periodList(path: string, v: unknown): Named[] {
  const list = array(path, v, 1).map((x, i) => {
    const o = object(at(path, i), x, ["name", "label"], ["name"]);
    const n = name(at(at(path, i), "name"), o.name);
    if (n === "all") throw new RateError(at(at(path, i), "name"), `"all" is reserved for the whole day`);
    return { name: n, label: optText(at(at(path, i), "label"), o.label, 60) };
  });
  const seen = new Set<string>();
  for (const [i, p] of list.entries()) {
    if (seen.has(p.name)) throw new RateError(at(path, i), `period ${p.name} appears twice`);
    seen.add(p.name);
  }
  if (list.length > 100) throw new RateError(path, "at most 100 periods");
  return list;
}

function holidays(path: string, v: unknown): HolidayRule[] {
  if (v === undefined) return [];
  return array(path, v).map((h, i) => {
    const p = at(path, i);
    if (typeof h === "string") {
      if (/^\d{4}-\d{2}-\d{2}$/.test(h)) {
        const day = parseIsoDate(h);
        if (day === undefined) throw new RateError(p, `"${h}" is not a date`);
        return { kind: "date", day };
      }
      return { kind: "fixed", ...monthDay(p, h) };
    }
    const o = object(p, h, ["month", "weekday", "nth"], ["month", "weekday", "nth"]);
    const m = o.month;
    if (typeof m !== "number" || !Number.isInteger(m) || m < 1 || m > 12)
      throw new RateError(at(p, "month"), "must be 1-12");
    const wd = WEEKDAYS.indexOf(String(o.weekday));
    if (wd < 0) throw new RateError(at(p, "weekday"), `must be one of ${WEEKDAYS.join(", ")}`);
    const nth = o.nth;
    if (typeof nth !== "number" || ![1, 2, 3, 4, 5, -1].includes(nth))
      throw new RateError(at(p, "nth"), "must be 1-5 or -1 (the last)");
    return { kind: "nth", m, weekday: wd, nth };
  });
}

function tierList(path: string, v: unknown, limitKw = false): TierList {
  const list = array(path, v, 1);
  let unit: LimitUnit | undefined;
  let prev: Q | undefined;
  const tiers: Tier[] = list.map((t, i) => {
    const p = at(path, i);
    const last = i === list.length - 1;
    const o = object(p, t, ["price", "up_to", limitKw ? "up_to_kw" : "label", "label"], ["price"]);
    const price = decimal(at(p, "price"), o.price);
    let upTo: Q | undefined;
    const limit = limitKw ? o.up_to_kw : o.up_to;
    if (limitKw && o.up_to !== undefined) throw new RateError(at(p, "up_to"), "demand tiers end at up_to_kw");
    if (limit !== undefined) {
      if (last)
        throw new RateError(at(p, limitKw ? "up_to_kw" : "up_to"), "the last tier has no limit: it takes the rest");
      if (limitKw) upTo = decimal(at(p, "up_to_kw"), limit, { min: "positive" }).q;
      else {
        const lo = object(at(p, "up_to"), limit, LIMIT_UNITS);
        const keys = Object.keys(lo) as LimitUnit[];
        if (keys.length !== 1) throw new RateError(at(p, "up_to"), `needs exactly one of ${LIMIT_UNITS.join(", ")}`);
        const k = keys[0]!;
        if (unit && unit !== k) throw new RateError(at(p, "up_to"), `is in ${k} but the tiers above are in ${unit}`);
        unit = k;
        upTo = decimal(at(at(p, "up_to"), k), lo[k], { min: "positive" }).q;
      }
      if (prev && cmp(upTo, prev) <= 0)
        throw new RateError(
          at(p, limitKw ? "up_to_kw" : "up_to"),
          `tier ${i + 1} ends at or below where tier ${i} ends: tiers must rise without overlapping`,
        );
      prev = upTo;
    } else if (!last)
      throw new RateError(p, `tier ${i + 1} needs ${limitKw ? "up_to_kw" : "up_to"}: only the last tier is open-ended`);
    return {
      price: price.q,
      priceText: price.text,
      upTo,
      label: limitKw ? undefined : optText(at(p, "label"), o.label, 60),
    };
  });
  return { tiers, unit, path, rule: path.replace(/^versions\[\d+\]\./, "") };
}

const sameLimits = (a: TierList, b: TierList) =>
  a.unit === b.unit &&
  a.tiers.length === b.tiers.length &&
  a.tiers.every((t, i) => {
    const u = b.tiers[i]!.upTo;
    return t.upTo === undefined ? u === undefined : u !== undefined && cmp(t.upTo, u) === 0;
  });

function percentage(
  path: string,
  v: unknown,
  fallback: LineKind[],
  allowed: LineKind[],
  withProgram: boolean,
): Percentage {
  const o = object(
    path,
    v,
    ["name", "label", "percent", "applies_to", ...(withProgram ? ["program"] : [])],
    ["name", "percent"],
  );
  const pct = decimal(at(path, "percent"), o.percent, { min: "positive" });
  if (cmp(pct.q, { n: 100n, d: 1n }) > 0) throw new RateError(at(path, "percent"), `${pct.text} is more than 100`);
  let program: Percentage["program"];
  if (withProgram) {
    if (!["care", "fera", "medical_baseline"].includes(String(o.program)))
      throw new RateError(at(path, "program"), "must be care, fera or medical_baseline");
    program = o.program as Percentage["program"];
  }
  const n = name(at(path, "name"), o.name);
  return {
    name: n,
    label: optText(at(path, "label"), o.label, 80) ?? n,
    rate: { n: pct.q.n, d: pct.q.d * 100n },
    appliesTo: kinds(at(path, "applies_to"), o.applies_to, fallback, allowed),
    program,
  };
}

const VERSION_FIELDS = [
  "effective_from",
  "rounding",
  "month_basis",
  "tier_limit_rounding",
  "seasons",
  "customer_charge",
  "minimum_charge",
  "baseline",
  "time_of_use",
  "energy",
  "baseline_credit",
  "demand",
  "demand_schedule",
  "surcharges",
  "discounts",
  "credits",
  "taxes",
];

function version(path: string, v: unknown, code: string): Version {
  const o = object(path, v, VERSION_FIELDS, ["effective_from", "energy"]);
  const effectiveFrom = text(at(path, "effective_from"), o.effective_from);
  const day = parseIsoDate(effectiveFrom);
  if (day === undefined)
    throw new RateError(at(path, "effective_from"), `"${effectiveFrom}" must be a date YYYY-MM-DD`);
  const rounding = (o.rounding ?? "half_up") as Rounding;
  if (!["half_up", "half_even", "down"].includes(rounding))
    throw new RateError(at(path, "rounding"), "must be half_up, half_even or down");
  const monthBasis = (o.month_basis ?? "calendar") as Version["monthBasis"];
  if (!["calendar", "average_month", "30_days"].includes(monthBasis))
    throw new RateError(at(path, "month_basis"), "must be calendar, average_month or 30_days");
  const limitRounding = o.tier_limit_rounding ?? "exact";
  if (limitRounding !== "exact" && limitRounding !== "whole_kwh")
    throw new RateError(at(path, "tier_limit_rounding"), "must be exact or whole_kwh");
  const ss = seasons(at(path, "seasons"), o.seasons);
  const seasonNames = ss.map((s) => s.name);

  let baseline: Version["baseline"];
  if (o.baseline !== undefined) {
    const bp = at(path, "baseline");
    const b = object(bp, o.baseline, ["kwh_per_day", "medical_kwh_per_day", "medical_kwh_per_month"], ["kwh_per_day"]);
    const byT = object(at(bp, "kwh_per_day"), b.kwh_per_day, Object.keys(b.kwh_per_day ?? {}));
    const perDay = new Map<string, Q[]>();
    for (const [t, bySeason] of Object.entries(byT)) {
      const tp = at(at(bp, "kwh_per_day"), t);
      if (!/^[A-Za-z0-9]{1,8}$/.test(t)) throw new RateError(tp, "a territory is a short code such as T");
      const so = object(tp, bySeason, seasonNames, seasonNames);
      perDay.set(
        t,
        ss.map((s) => decimal(at(tp, s.name), so[s.name], { min: "non-negative" }).q),
      );
    }
    if (perDay.size === 0) throw new RateError(at(bp, "kwh_per_day"), "needs at least one territory");
    if (b.medical_kwh_per_day !== undefined && b.medical_kwh_per_month !== undefined)
      throw new RateError(bp, "give medical_kwh_per_day or medical_kwh_per_month, not both");
    baseline = {
      perDay,
      medicalPerDay:
        b.medical_kwh_per_day === undefined
          ? undefined
          : decimal(at(bp, "medical_kwh_per_day"), b.medical_kwh_per_day, { min: "non-negative" }).q,
      medicalPerMonth:
        b.medical_kwh_per_month === undefined
          ? undefined
          : decimal(at(bp, "medical_kwh_per_month"), b.medical_kwh_per_month, { min: "non-negative" }).q,
    };
  }

  let periods: Named[] = [{ name: "all" }];
  let sched: DayRows[] | null = null;
  let hols: HolidayRule[] = [];
  if (o.time_of_use !== undefined) {
    const tp = at(path, "time_of_use");
    const t = object(tp, o.time_of_use, ["periods", "schedule", "holidays"], ["periods", "schedule"]);
    periods = periodList(at(tp, "periods"), t.periods);
    sched = schedule(at(tp, "schedule"), t.schedule, periods, ss);
    hols = holidays(at(tp, "holidays"), t.holidays);
  }

  const ep = at(path, "energy");
  const eo = object(ep, o.energy, seasonNames, seasonNames);
  const energy = ss.map((s) => {
    const sp = at(ep, s.name);
    const val = eo[s.name];
    if (Array.isArray(val)) {
      if (sched)
        throw new RateError(sp, `with time of use, give tiers per period (${periods.map((p) => p.name).join(", ")})`);
      return [tierList(sp, val)];
    }
    const byPeriod = object(
      sp,
      val,
      periods.map((p) => p.name),
      periods.map((p) => p.name),
    );
    const lists = periods.map((p) => tierList(at(sp, p.name), byPeriod[p.name]));
    for (const l of lists.slice(1))
      if (!sameLimits(lists[0]!, l))
        throw new RateError(
          l.path,
          `has tier limits unlike ${lists[0]!.path}: with time of use every period shares the season's tiers`,
        );
    return lists;
  });
  for (const [si, lists] of energy.entries())
    for (const l of lists) {
      if (l.unit === "baseline_percent" && !baseline)
        throw new RateError(l.path, "tiers in baseline_percent need a baseline");
      if (l.unit === "kwh_per_kw" && !o.demand) throw new RateError(l.path, "tiers in kwh_per_kw need demand charges");
      void si;
    }

  let baselineCredit: Version["baselineCredit"];
  if (o.baseline_credit !== undefined) {
    const bp = at(path, "baseline_credit");
    const b = object(bp, o.baseline_credit, ["price", "label"], ["price"]);
    if (!baseline) throw new RateError(bp, "a baseline credit needs a baseline");
    const price = decimal(at(bp, "price"), b.price);
    baselineCredit = {
      price: price.q,
      priceText: price.text,
      label: optText(at(bp, "label"), b.label, 80) ?? "Baseline credit",
    };
  }

  let demandPeriods: Named[] = sched ? periods : [];
  let demandSchedule: DayRows[] | null = sched;
  if (o.demand_schedule !== undefined) {
    const dp = at(path, "demand_schedule");
    const d = object(dp, o.demand_schedule, ["periods", "schedule"], ["periods", "schedule"]);
    demandPeriods = periodList(at(dp, "periods"), d.periods);
    demandSchedule = schedule(at(dp, "schedule"), d.schedule, demandPeriods, ss);
  }
  const demand: Version["demand"] = ss.map(() => ({ byPeriod: new Map() }));
  let hasDemand = false;
  if (o.demand !== undefined) {
    const dp = at(path, "demand");
    const d = object(dp, o.demand, seasonNames);
    for (const [si, s] of ss.entries()) {
      if (d[s.name] === undefined) continue;
      const sp = at(dp, s.name);
      const names = ["all", ...demandPeriods.map((p) => p.name)];
      const byPeriod = object(sp, d[s.name], names);
      for (const [pn, tiers] of Object.entries(byPeriod)) {
        const list = tierList(at(sp, pn), tiers, true);
        hasDemand = true;
        if (pn === "all") demand[si]!.all = list;
        else
          demand[si]!.byPeriod.set(
            demandPeriods.findIndex((p) => p.name === pn),
            list,
          );
      }
    }
  }

  let customerCharge: PerUnit | undefined;
  if (o.customer_charge !== undefined) {
    const { o: _o, ...c } = perUnit(at(path, "customer_charge"), o.customer_charge, "Customer charge");
    customerCharge = c;
  }
  let minimumCharge: Version["minimumCharge"];
  if (o.minimum_charge !== undefined) {
    const mp = at(path, "minimum_charge");
    const { o: mo, ...c } = perUnit(mp, o.minimum_charge, "Minimum charge", ["applies_to"]);
    minimumCharge = { ...c, appliesTo: kinds(at(mp, "applies_to"), mo.applies_to, CHARGES, CHARGES) };
  }

  const named = <T>(p: string, v: unknown, f: (p: string, o: unknown) => T): T[] => {
    if (v === undefined) return [];
    const list = array(p, v).map((x, i) => f(at(p, i), x));
    const seen = new Set<string>();
    for (const [i, x] of list.entries()) {
      const n = (x as { name: string }).name;
      if (seen.has(n)) throw new RateError(at(at(p, i), "name"), `${n} appears twice`);
      seen.add(n);
    }
    return list;
  };
  const surcharges = named(at(path, "surcharges"), o.surcharges, (p, x) => {
    const s = object(p, x, ["name", "label", "price_per_kwh"], ["name", "price_per_kwh"]);
    const price = decimal(at(p, "price_per_kwh"), s.price_per_kwh);
    const n = name(at(p, "name"), s.name);
    return { name: n, label: optText(at(p, "label"), s.label, 80) ?? n, price: price.q, priceText: price.text };
  });
  const discounts = named(at(path, "discounts"), o.discounts, (p, x) =>
    percentage(
      p,
      x,
      DISCOUNTABLE,
      KINDS.filter((k) => !["discount", "credit", "tax"].includes(k)),
      true,
    ),
  );
  const credits = named(at(path, "credits"), o.credits, (p, x) => {
    const c = object(p, x, ["name", "label", "amount", "months"], ["name", "amount", "months"]);
    const amount = decimal(at(p, "amount"), c.amount);
    const months = array(at(p, "months"), c.months, 1).map((m, i) => {
      if (typeof m !== "number" || !Number.isInteger(m) || m < 1 || m > 12)
        throw new RateError(at(at(p, "months"), i), "must be a month 1-12");
      return m;
    });
    const n = name(at(p, "name"), c.name);
    return {
      name: n,
      label: optText(at(p, "label"), c.label, 80) ?? n,
      amount: amount.q,
      amountText: amount.text,
      months: new Set(months),
    };
  });
  const taxes = named(at(path, "taxes"), o.taxes, (p, x) => percentage(p, x, TAXABLE, TAXABLE, false));

  const monthly =
    customerCharge?.per === "month" ||
    minimumCharge?.per === "month" ||
    baseline?.medicalPerMonth !== undefined ||
    hasDemand ||
    energy.some((lists) => lists[0]!.unit === "kwh_per_month");
  return {
    code,
    effectiveFrom,
    day,
    rounding,
    monthBasis,
    wholeKwhLimits: limitRounding === "whole_kwh",
    splitMonths: monthly && monthBasis === "calendar",
    seasons: ss,
    customerCharge,
    minimumCharge,
    baseline,
    periods,
    schedule: sched,
    holidays: hols,
    energy,
    baselineCredit,
    demandPeriods,
    demandSchedule,
    demand,
    hasDemand,
    surcharges,
    discounts,
    credits,
    taxes,
  };
}

const TARIFF_FIELDS = ["format", "code", "name", "sector", "time_zone", "description", "source", "versions"];

/** Validates a tariff document and compiles it; a RateError names the first field that is wrong. */
export function parseTariff(doc: unknown): Tariff {
  const o = object("", doc, TARIFF_FIELDS, ["format", "code", "name", "sector", "versions"]);
  if (o.format !== "kilowatt-tariff/1") throw new RateError("format", `must be "kilowatt-tariff/1"`);
  const code = text("code", o.code, 40);
  if (!CODE.test(code)) throw new RateError("code", `"${code}" must be letters, digits, ".", "_" or "-" (up to 40)`);
  const sector = String(o.sector);
  if (!(SECTORS as readonly string[]).includes(sector))
    throw new RateError("sector", `must be one of ${SECTORS.join(", ")}`);
  const timeZone = o.time_zone === undefined ? "America/Los_Angeles" : text("time_zone", o.time_zone, 60);
  if (!isTimeZone(timeZone)) throw new RateError("time_zone", `"${timeZone}" is not an IANA time zone`);
  const versions = array("versions", o.versions, 1).map((v, i) => version(at("versions", i), v, code));
  versions.sort((a, b) => a.day - b.day);
  for (let i = 1; i < versions.length; i++)
    if (versions[i]!.day === versions[i - 1]!.day)
      throw new RateError("versions", `two versions take effect on ${versions[i]!.effectiveFrom}`);
  const periodNames = [...new Set(versions.flatMap((v) => v.periods.map((p) => p.name)))];
  return {
    code,
    name: text("name", o.name),
    sector,
    timeZone,
    description: optText("description", o.description),
    source: optText("source", o.source),
    document: o,
    versions,
    hasBaseline: versions.some((v) => v.baseline),
    hasTimeOfUse: versions.some((v) => v.schedule),
    hasDemand: versions.some((v) => v.hasDemand),
    periodNames,
    territories: [...new Set(versions.flatMap((v) => [...(v.baseline?.perDay.keys() ?? [])]))].sort(),
  };
}
