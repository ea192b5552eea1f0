import { CopyRows } from "./copy-rows.js";
import { type Address, addBusiness, addPerson, otherAddress, protector, type Sink } from "./customers.js";
import { dayOf, instant, iso } from "./dates.js";
import { addMoneyHistory, type MoneyAccount, type MoneyOptions } from "./money.js";
import { surname } from "./names.js";
import { contactReason } from "./people.js";
import { pickCity, streetLine, taxJurisdiction, unitLine, zipOf } from "./places.js";
import { Rng, streamSeed, weighted } from "./random.js";
import { type SeedTable, TABLE_NAMES } from "./tables.js";

/** What a chunk generator needs: the run seed, the business date, the data key and the next id of each table. */
export interface GenerateOptions {
  seed: number;
  /** Business date the synthetic history ends on, YYYY-MM-DD. */
  today: string;
  dataKey: Buffer;
  /** Encrypts an identity number as the parties context stores it. */
  seal(value: string): string;
  /** Next id per table; advanced as rows are made. */
  nextId: Record<SeedTable, number>;
  accountNumber(accountId: number): string;
  meterNumber(meterId: number): string;
  /** The chart's GL accounts and the payment settings the money history is posted with (null: no history). */
  money: MoneyOptions | null;
}

export type ChunkRows = Record<SeedTable, CopyRows>;

const CLASSES = weighted([
  ["residential", 880],
  ["commercial", 90],
  ["agricultural", 17],
  ["industrial", 8],
  ["street_lighting", 5],
] as const);
const RESIDENTIAL_TARIFFS = weighted([
  ["E-1", 45],
  ["E-TOU-C", 40],
  ["EV2-A", 15],
] as const);
const CONTACTS_PER_ACCOUNT = weighted([
  [0, 20],
  [1, 25],
  [2, 25],
  [3, 15],
  [4, 10],
  [5, 5],
] as const);
const CHANNELS = weighted([
  ["phone", 65],
  ["email", 15],
  ["in_person", 12],
  ["mail", 8],
] as const);
const OUTCOMES = weighted([
  ["resolved", 70],
  ["follow_up", 15],
  ["referred", 8],
  ["no_answer", 7],
] as const);
const MANUFACTURERS = ["Itron", "Landis+Gyr", "Aclara", "Honeywell Elster", "Sensus", "General Electric"];
const AGENTS = ["csr", "csr", "csr", "lead", "cashier", "collector", "supervisor"];

/** Empty row sets for every seeded table. */
export const emptyChunk = () => Object.fromEntries(TABLE_NAMES.map((t) => [t, new CopyRows()])) as ChunkRows;

/** Adds every table's rows for the next `count` accounts to `out`; an account's data depends only on (seed, account id). */
export function generateAccounts(opts: GenerateOptions, out: ChunkRows, count: number): ChunkRows {
  const today = dayOf(opts.today);
  const take = (t: SeedTable) => opts.nextId[t]++;

  const g: Sink = { out, take, today, protect: protector(opts.seal, opts.dataKey) };

  const addMeter = (rng: Rng, klass: string, tariff: string, interval: boolean) => {
    const id = take("meters");
    const multiplier =
      klass === "industrial"
        ? rng.pick(["200", "400", "600"])
        : klass === "commercial" && rng.chance(0.2)
          ? rng.pick(["40", "80", "120"])
          : "1";
    out.meters.add(
      id,
      opts.meterNumber(id),
      interval ? "interval" : "register",
      interval ? rng.pick([15, 15, 60]) : null,
      multiplier,
      rng.pick(MANUFACTURERS),
    );
    const tou = tariff === "E-TOU-C" || tariff === "EV2-A";
    if (!interval && tou) {
      out.meter_registers.add(take("meter_registers"), id, "kWh", 5, "peak");
      out.meter_registers.add(take("meter_registers"), id, "kWh", 5, "off_peak");
    } else {
      out.meter_registers.add(take("meter_registers"), id, "kWh", interval || rng.chance(0.7) ? 5 : 4, null);
    }
    if (tariff === "B-1" || (klass !== "residential" && rng.chance(0.4)))
      out.meter_registers.add(take("meter_registers"), id, "kW", 3, null);
    return id;
  };

  for (let n = 0; n < count; n++) {
    const accountId = take("accounts");
    const rng = new Rng(streamSeed(opts.seed, accountId));
    const klass = rng.pickWeighted(CLASSES);
    const residential = klass === "residential";
    const city = pickCity(rng);
    const premiseId = take("premises");
    const service: Address = {
      line1: streetLine(rng),
      line2: residential ? unitLine(rng, 0.22) : rng.chance(0.3) ? `Ste ${rng.int(100, 400)}` : null,
      city: city.name,
      state: "CA",
      zip: zipOf(rng, city),
    };
    const jurisdiction = taxJurisdiction(rng, city);
    out.premises.add(
      premiseId,
      service.line1,
      service.line2,
      service.city,
      "CA",
      service.zip,
      city.territory,
      city.climateZone,
      jurisdiction,
    );

    // Account life: opened up to 25 years ago (more recent ones commoner); a few pending or closed.
    const opened = today - Math.floor(rng.next() ** 1.6 * 25 * 365) - 20;
    const s = rng.next();
    const status = s < 0.02 ? "pending" : s < 0.07 ? "closed" : "active";
    const openedOn = status === "pending" ? today - rng.int(0, 10) : opened;
    const closedOn = status === "closed" ? rng.int(Math.min(openedOn + 30, today), today) : null;

    const mainLast = residential ? surname(rng) : "";
    const main = residential
      ? addPerson(g, rng, mainLast, service, city, openedOn)
      : addBusiness(g, rng, klass, service, city);
    const mainEmail = main.email;
    const override = rng.chance(0.04) ? otherAddress(rng) : null;
    const cycle = String(((accountId - 1) % 21) + 1).padStart(2, "0");
    out.accounts.add(
      accountId,
      opts.accountNumber(accountId),
      status,
      klass,
      main.id,
      override?.line1 ?? null,
      override?.line2 ?? null,
      override?.city ?? null,
      override?.state ?? null,
      override?.zip ?? null,
      mainEmail && rng.chance(0.45) ? "email" : "mail",
      cycle,
      iso(openedOn),
      closedOn === null ? null : iso(closedOn),
    );
    out.account_parties.add(accountId, main.id, "main", iso(openedOn));
    let coApplicant: number | null = null;
    if (residential && rng.chance(0.1)) {
      const last = rng.chance(0.7) ? mainLast : surname(rng);
      coApplicant = addPerson(g, rng, last, service, city, openedOn).id;
      out.account_parties.add(
        accountId,
        coApplicant,
        "co_applicant",
        iso(rng.int(openedOn, Math.max(openedOn, today - 1))),
      );
    }

    // Enrolments that change what the customer pays.
    let discount: MoneyAccount["discount"] = null;
    if (residential && status !== "pending") {
      if (rng.chance(0.22)) {
        const from = rng.int(openedOn, today);
        const ended = rng.chance(0.1) ? rng.int(from, today) : null;
        discount = { percent: 20n, from, to: ended };
        out.enrolments.add(
          take("enrolments"),
          accountId,
          main.id,
          "care",
          iso(from),
          ended === null ? null : iso(ended),
          iso(from + 730),
          false,
          rng.int(1, 7),
          null,
        );
      } else if (rng.chance(0.03)) {
        const from = rng.int(openedOn, today);
        discount = { percent: 18n, from, to: null };
        out.enrolments.add(
          take("enrolments"),
          accountId,
          main.id,
          "fera",
          iso(from),
          null,
          iso(from + 730),
          false,
          rng.int(3, 8),
          null,
        );
      }
      if ("medical" in main && main.medical) {
        const from = rng.int(openedOn, today);
        const permanent = rng.chance(0.3);
        out.enrolments.add(
          take("enrolments"),
          accountId,
          main.id,
          "medical_baseline",
          iso(from),
          null,
          permanent ? null : iso(from + 730),
          permanent,
          null,
          null,
        );
      }
    }

    // Service points, meters with install history, and service agreements.
    // The first service point's tariff is the one the account's bills are priced by.
    let billedTariff = "";
    let earlierTariff: MoneyAccount["earlierTariff"] = null;
    const points = klass === "agricultural" && rng.chance(0.25) ? 2 : klass === "commercial" && rng.chance(0.1) ? 2 : 1;
    for (let p = 0; p < points; p++) {
      const spId = take("service_points");
      const description =
        klass === "agricultural"
          ? `Pump ${p + 1}`
          : klass === "street_lighting"
            ? `Streetlight circuit ${rng.int(1, 60)}`
            : residential
              ? "Residential service"
              : p === 0
                ? "Main service"
                : "Building B";
      out.service_points.add(spId, premiseId, "electric", description);
      const tariff = residential
        ? rng.pickWeighted(RESIDENTIAL_TARIFFS)
        : klass === "industrial" || (klass === "commercial" && rng.chance(0.3))
          ? "B-1"
          : "A-1";
      const installedFirst = openedOn - rng.int(0, 3650);
      if (rng.chance(0.18)) {
        const exchanged = rng.int(installedFirst + 1, today);
        const old = addMeter(rng, klass, tariff, false);
        out.meter_installations.add(take("meter_installations"), old, spId, iso(installedFirst), iso(exchanged));
        const current = addMeter(rng, klass, tariff, rng.chance(0.85));
        out.meter_installations.add(take("meter_installations"), current, spId, iso(exchanged), null);
      } else {
        const current = addMeter(rng, klass, tariff, rng.chance(0.7));
        out.meter_installations.add(take("meter_installations"), current, spId, iso(installedFirst), null);
      }
      // A rate change some years in ends one agreement and starts another on the new tariff.
      let start = status === "pending" ? today + rng.int(1, 14) : openedOn;
      if (status === "active" && residential && rng.chance(0.12) && today - openedOn > 400) {
        const change = rng.int(openedOn + 365, today - 1);
        out.service_agreements.add(
          take("service_agreements"),
          accountId,
          spId,
          "E-1",
          iso(openedOn),
          iso(change),
          "stopped",
        );
        start = change;
        if (p === 0) earlierTariff = { tariff: "E-1", until: change };
      }
      if (p === 0) billedTariff = tariff;
      const saStatus = status === "pending" ? "pending" : status === "closed" ? "stopped" : "active";
      out.service_agreements.add(
        take("service_agreements"),
        accountId,
        spId,
        tariff,
        iso(start),
        closedOn === null ? null : iso(closedOn),
        saStatus,
      );
    }

    // Contact history.
    const contacts = status === "pending" ? rng.int(0, 1) : rng.pickWeighted(CONTACTS_PER_ACCOUNT);
    const lastDay = closedOn ?? today;
    for (let c = 0; c < contacts; c++) {
      const day = rng.int(openedOn, lastDay);
      const { reason, note } = contactReason(rng);
      const at = instant(day, rng);
      const party = coApplicant !== null && rng.chance(0.3) ? coApplicant : main.id;
      out.contacts.add(
        take("contacts"),
        accountId,
        party,
        rng.pickWeighted(CHANNELS),
        reason,
        note,
        rng.pickWeighted(OUTCOMES),
        null,
        rng.pick(AGENTS),
        at,
        at,
      );
    }

    if (opts.money)
      addMoneyHistory(
        out,
        take,
        today,
        opts.money,
        {
          id: accountId,
          number: opts.accountNumber(accountId),
          klass,
          status,
          cycle: Number(cycle),
          opened: openedOn,
          closed: closedOn,
          tariff: billedTariff,
          earlierTariff,
          climateZone: city.climateZone,
          jurisdiction,
          discount,
        },
        new Rng(streamSeed(opts.seed, accountId, 1)),
      );
  }
  return out;
}
