// The rate engine in one process: register-read bills on the tiered baseline tariff (E-1) and monthly time-of-use
// bills from hourly intervals (E-TOU-C), both the demo utility's tariffs. Customers vary by territory, medical
// baseline, CARE, usage and read day; periods are the read-to-read month, most spanning two calendar months.
// Options: --register N (bills, default 1,000,000), --tou N (bills, default 50,000), --customers N (interval
// customers, default 200).
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isoDate } from "../src/core/rates/calendar.js";
import { type Facts, type IntervalSeries, parseTariff, quote } from "../src/core/rates/index.js";
import { Rng } from "../src/seed/random.js";
import type { BenchOutcome } from "./run.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (code: string) =>
  parseTariff(JSON.parse(readFileSync(path.join(here, "..", "src", "seed", "tariffs", `${code}.json`), "utf8")));
const TERRITORIES = ["P", "Q", "R", "S", "T", "V", "W", "X", "Y", "Z"];

/** A year of hourly kWh for one customer, as exact micro-kWh: a daily shape, scaled by season and noise. */
function yearOfHours(rng: Rng, fromMs: number): IntervalSeries {
  const hours = 366 * 24 + 48;
  const startMs = new Float64Array(hours);
  const microKwh = new Float64Array(hours);
  const scale = 0.4 + rng.next() * 1.2;
  for (let h = 0; h < hours; h++) {
    startMs[h] = fromMs + h * 3_600_000;
    const hour = (h + 16) % 24; // UTC to roughly local
    const evening = hour >= 16 && hour < 22 ? 1.8 : hour < 6 ? 0.6 : 1;
    microKwh[h] = Math.round(scale * evening * (0.5 + rng.next()) * 1e6);
  }
  return { startMs, microKwh, minutes: 60 };
}

function time(run: () => void): number {
  const t = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export default async function rates(args: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args,
    options: { register: { type: "string" }, tou: { type: "string" }, customers: { type: "string" } },
  });
  const registerBills = Number(values.register ?? 1_000_000);
  const touBills = Number(values.tou ?? 50_000);
  const loadAtStart = os.loadavg()[0]!;
  const customers = Number(values.customers ?? 200);
  const e1 = load("E-1");
  const touTariff = load("E-TOU-C");
  const first = Math.max(...[e1, touTariff].map((t) => t.versions[0]!.day));
  const rng = new Rng(6);

  // Register reads: 10,000 customers' facts and periods, cycled.
  const inputs = Array.from({ length: 10_000 }, () => {
    const start = first + rng.int(0, 300);
    const days = 27 + rng.int(0, 7);
    const facts: Facts = {
      territory: TERRITORIES[rng.int(0, TERRITORIES.length - 1)]!,
      medicalBaseline: rng.chance(0.03),
      care: rng.chance(0.25),
    };
    return {
      facts,
      period: { from: isoDate(start), to: isoDate(start + days - 1) },
      usage: { kind: "register" as const, kwh: String(rng.int(40, 1800)) },
    };
  });
  let registerCents = 0n;
  for (let i = 0; i < 20_000; i++) {
    const x = inputs[i % inputs.length]!;
    registerCents += quote(e1, x.facts, x.period, x.usage).totalCents;
  }
  registerCents = 0n;
  const registerSeconds = time(() => {
    for (let i = 0; i < registerBills; i++) {
      const x = inputs[i % inputs.length]!;
      registerCents += quote(e1, x.facts, x.period, x.usage).totalCents;
    }
  });

  // Time of use: each customer's year of hours, billed month by month on its read day.
  const fromMs = Date.parse(`${isoDate(first)}T08:00:00Z`);
  const series = Array.from({ length: customers }, () => yearOfHours(rng, fromMs));
  const touInputs = Array.from({ length: customers }, (_, c) => ({
    facts: { territory: TERRITORIES[c % TERRITORIES.length]!, care: c % 4 === 0 } as Facts,
    readDay: rng.int(0, 27),
  }));
  const touPeriod = (i: number) => {
    const c = i % customers;
    const month = Math.floor(i / customers) % 11;
    const start = first + touInputs[c]!.readDay + month * 30;
    return { c, period: { from: isoDate(start), to: isoDate(start + 29) } };
  };
  let touCents = 0n;
  let touKwh = 0;
  for (let i = 0; i < Math.min(2_000, touBills); i++) {
    const { c, period } = touPeriod(i);
    quote(touTariff, touInputs[c]!.facts, period, { kind: "intervals", series: series[c]! });
  }
  const touSeconds = time(() => {
    for (let i = 0; i < touBills; i++) {
      const { c, period } = touPeriod(i);
      const q = quote(touTariff, touInputs[c]!.facts, period, { kind: "intervals", series: series[c]! });
      touCents += q.totalCents;
      touKwh += Number(q.kwh);
    }
  });
  return {
    engine: "in-process",
    metrics: {
      load_average_at_start: Number(loadAtStart.toFixed(2)),
      register_tariff: e1.code,
      register_bills: registerBills,
      register_seconds: Number(registerSeconds.toFixed(2)),
      register_bills_per_s: Math.round(registerBills / registerSeconds),
      register_target_per_s: 50_000,
      register_billed_dollars: Number(registerCents / 100n),
      tou_tariff: touTariff.code,
      tou_bills: touBills,
      tou_hourly_intervals_per_bill: 720,
      tou_seconds: Number(touSeconds.toFixed(2)),
      tou_bills_per_s: Math.round(touBills / touSeconds),
      tou_target_per_s: 2_000,
      tou_billed_dollars: Number(touCents / 100n),
      tou_kwh: Math.round(touKwh),
    },
  };
}
