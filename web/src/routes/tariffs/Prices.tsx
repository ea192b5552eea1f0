import { Badge, Box, Group, Stack, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import type { Schedule, ScheduleBlock, TariffVersionDoc, Tier } from "./api.js";
import { dollars, monthDay, monthName, percent, quantity, words } from "./format.js";
import classes from "./Tariffs.module.css";

const COLORS = [
  "red.6",
  "yellow.5",
  "blue.4",
  "green.6",
  "grape.5",
  "cyan.5",
  "orange.5",
  "teal.4",
  "pink.4",
  "lime.6",
];
const cssColor = (c: string) => `var(--mantine-color-${c.replace(".", "-")})`;

interface Names {
  season: (name: string) => string;
  period: (name: string) => string;
}

/** Season and period names as the tariff labels them. */
function namesOf(v: TariffVersionDoc): Names {
  const seasons = new Map((v.seasons ?? []).map((s) => [s.name, s.label ?? words(s.name)]));
  const periods = new Map(
    [...(v.time_of_use?.periods ?? []), ...(v.demand_schedule?.periods ?? [])].map((p) => [
      p.name,
      p.label ?? words(p.name),
    ]),
  );
  return {
    season: (n) => seasons.get(n) ?? (n === "all" ? "All year" : words(n)),
    period: (n) => periods.get(n) ?? (n === "all" ? "All hours" : words(n)),
  };
}

/** The season names in the tariff's order (then any others the section names). */
function seasonOrder(v: TariffVersionDoc, keys: string[]): string[] {
  const declared = (v.seasons ?? []).map((s) => s.name).filter((n) => keys.includes(n));
  return [...declared, ...keys.filter((k) => !declared.includes(k))];
}

/** Seasons whose value is the same, together: a URDB tariff's twelve month seasons often share prices. */
function grouped<T>(seasons: string[], priceOf: (season: string) => T): { seasons: string[]; value: T }[] {
  const groups: { key: string; seasons: string[]; value: T }[] = [];
  for (const s of seasons) {
    const value = priceOf(s);
    const key = JSON.stringify(value);
    const same = groups.find((g) => g.key === key);
    if (same) same.seasons.push(s);
    else groups.push({ key, seasons: [s], value });
  }
  return groups;
}

const seasonList = (names: Names, seasons: string[]) => seasons.map(names.season).join(", ");

/** Where a tier ends. */
function limitText(t: Tier, i: number, count: number): string {
  if (t.up_to_kw !== undefined) return `up to ${quantity(t.up_to_kw)} kW`;
  const u = t.up_to;
  if (!u) return count === 1 ? "none" : i === count - 1 ? "all the rest" : "—";
  if (u.baseline_percent !== undefined) return `up to ${percent(u.baseline_percent)} of baseline`;
  if (u.kwh_per_day !== undefined) return `up to ${quantity(u.kwh_per_day)} kWh a day`;
  if (u.kwh_per_month !== undefined) return `up to ${quantity(u.kwh_per_month)} kWh a month`;
  if (u.kwh_per_kw !== undefined) return `up to ${quantity(u.kwh_per_kw)} kWh per kW of demand`;
  return "—";
}

const tierName = (t: Tier, i: number, count: number) => t.label ?? (count === 1 ? "All usage" : `Tier ${i + 1}`);

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Stack gap={6} component="section" aria-labelledby={id}>
      <Title order={3} size="h5" id={id}>
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function Caption({ children }: { children: ReactNode }) {
  return (
    <Table.Caption style={{ textAlign: "left", marginBottom: 2 }} c="gray.7" fz="sm">
      {children}
    </Table.Caption>
  );
}

/** The customer and minimum charges, seasons, rounding and baseline credit: one small table. */
function Basics({ v }: { v: TariffVersionDoc }) {
  const rows: [string, ReactNode][] = [];
  const seasons = v.seasons ?? [];
  // A URDB tariff's twelve seasons are the calendar months.
  const monthly = seasons.length === 12 && seasons.every((s, i) => s.from === `${String(i + 1).padStart(2, "0")}-01`);
  if (monthly) rows.push(["Seasons", "One a month, January to December"]);
  else if (seasons.length > 0) {
    rows.push(["Seasons", seasons.map((s) => `${s.label ?? words(s.name)} from ${monthDay(s.from)}`).join("; ")]);
  } else rows.push(["Seasons", "One season, all year"]);
  if (v.customer_charge) {
    const c = v.customer_charge;
    rows.push(["Customer charge", `${dollars(c.price)} per ${c.per}${c.label ? ` (${c.label})` : ""}`]);
  }
  if (v.minimum_charge) {
    rows.push([
      "Minimum charge",
      `${dollars(v.minimum_charge.price)} per ${v.minimum_charge.per}` +
        (v.minimum_charge.applies_to ? ` (compared with ${v.minimum_charge.applies_to.map(words).join(", ")})` : ""),
    ]);
  }
  if (v.baseline_credit) {
    rows.push([
      v.baseline_credit.label ?? "Baseline credit",
      `${dollars(v.baseline_credit.price)} per kWh up to the baseline allowance`,
    ]);
  }
  rows.push(["Rounding", v.rounding === "half_even" ? "Half to even" : v.rounding === "down" ? "Down" : "Half up"]);
  return (
    <Table withRowBorders={false} verticalSpacing={2} data-testid="tariff-basics">
      <Table.Tbody>
        {rows.map(([k, val]) => (
          <Table.Tr key={k}>
            <Table.Th scope="row" w={200} fw={600}>
              {k}
            </Table.Th>
            <Table.Td>{val}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Baseline({ v, names }: { v: TariffVersionDoc; names: Names }) {
  const b = v.baseline;
  if (!b) return null;
  const byTerritory = b.kwh_per_day ?? {};
  const territories = Object.keys(byTerritory).sort();
  const seasons = seasonOrder(v, [...new Set(territories.flatMap((t) => Object.keys(byTerritory[t] ?? {})))]);
  return (
    <Section id="prices-baseline" title="Baseline allowances">
      {territories.length > 0 && (
        <Table captionSide="top" verticalSpacing={2} striped maw={560} data-testid="baseline-table">
          <Caption>kWh a day, by territory and season</Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Territory</Table.Th>
              {seasons.map((s) => (
                <Table.Th key={s} scope="col" className={classes.num}>
                  {names.season(s)}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {territories.map((t) => (
              <Table.Tr key={t}>
                <Table.Th scope="row">{t}</Table.Th>
                {seasons.map((s) => (
                  <Table.Td key={s} className={classes.num}>
                    {byTerritory[t]?.[s] !== undefined ? quantity(byTerritory[t]![s]!) : "—"}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {b.medical_kwh_per_day && (
        <Text size="sm">Medical baseline: {quantity(b.medical_kwh_per_day)} kWh a day more.</Text>
      )}
      {b.medical_kwh_per_month && (
        <Text size="sm">Medical baseline: {quantity(b.medical_kwh_per_month)} kWh a month more.</Text>
      )}
    </Section>
  );
}

interface TierRow {
  seasons: string[];
  period: string | null;
  tiers: Tier[];
}

/** Tiers by season (and period), seasons with the same prices together. */
function TierTable({
  rows,
  names,
  unit,
  caption,
  testId,
}: {
  rows: TierRow[];
  names: Names;
  unit: string;
  caption: string;
  testId: string;
}) {
  const withPeriods = rows.some((r) => r.period !== null);
  return (
    <Table captionSide="top" verticalSpacing={2} striped data-testid={testId}>
      <Caption>{caption}</Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Season</Table.Th>
          {withPeriods && <Table.Th scope="col">Period</Table.Th>}
          <Table.Th scope="col">Tier</Table.Th>
          <Table.Th scope="col">Limit</Table.Th>
          <Table.Th scope="col" className={classes.num}>
            Price ({unit})
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.flatMap((r) =>
          r.tiers.map((t, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a tier's place in its list is what it is
            <Table.Tr key={`${r.seasons.join()}-${r.period}-${i}`}>
              <Table.Td>{i === 0 ? seasonList(names, r.seasons) : ""}</Table.Td>
              {withPeriods && <Table.Td>{i === 0 && r.period !== null ? names.period(r.period) : ""}</Table.Td>}
              <Table.Td>{tierName(t, i, r.tiers.length)}</Table.Td>
              <Table.Td>{limitText(t, i, r.tiers.length)}</Table.Td>
              <Table.Td className={classes.num}>{dollars(t.price)}</Table.Td>
            </Table.Tr>
          )),
        )}
      </Table.Tbody>
    </Table>
  );
}

function Energy({ v, names }: { v: TariffVersionDoc; names: Names }) {
  const seasons = seasonOrder(v, Object.keys(v.energy ?? {}));
  const rows: TierRow[] = grouped(seasons, (s) => v.energy[s]).flatMap((g): TierRow[] => {
    const value = g.value;
    if (Array.isArray(value)) return [{ seasons: g.seasons, period: null, tiers: value }];
    return Object.entries(value ?? {}).map(([period, tiers]) => ({ seasons: g.seasons, period, tiers }));
  });
  return (
    <Section id="prices-energy" title="Energy">
      <TierTable rows={rows} names={names} unit="$/kWh" caption="Price per kWh" testId="energy-table" />
    </Section>
  );
}

function Demand({ v, names }: { v: TariffVersionDoc; names: Names }) {
  if (!v.demand) return null;
  const demand = v.demand;
  const seasons = seasonOrder(v, Object.keys(demand));
  const rows: TierRow[] = grouped(seasons, (s) => demand[s]).flatMap((g) =>
    Object.entries(g.value ?? {}).map(([period, tiers]) => ({ seasons: g.seasons, period, tiers })),
  );
  return (
    <Section id="prices-demand" title="Demand charges">
      <TierTable
        rows={rows}
        names={names}
        unit="$/kW"
        caption="Per kW of the month's highest demand in the period"
        testId="demand-table"
      />
    </Section>
  );
}

const hourText = (h: number) => `${h}:00`;

/** One day type's 24 hours as a strip of coloured cells, with the same in words. */
function DayStrip({
  label,
  blocks,
  colorOf,
  names,
}: {
  label: string;
  blocks: ScheduleBlock[];
  colorOf: (period: string) => string;
  names: Names;
}) {
  const sorted = [...blocks].sort((a, b) => a.from - b.from);
  const said = sorted.map((b) => `${names.period(b.period)} ${hourText(b.from)}–${hourText(b.to)}`).join(", ");
  const hours = Array.from({ length: 24 }, (_, h) => sorted.find((b) => h >= b.from && h < b.to)?.period ?? null);
  return (
    <Group gap="sm" wrap="nowrap" align="center">
      <Text size="sm" w={80} fw={600}>
        {label}
      </Text>
      <Stack gap={2} style={{ flex: 1 }}>
        <div className={classes.strip} role="img" aria-label={`${label}: ${said}`}>
          {hours.map((p, h) => (
            <div
              // biome-ignore lint/suspicious/noArrayIndexKey: the 24 hours of a day
              key={h}
              className={classes.hour}
              style={{ backgroundColor: p ? cssColor(colorOf(p)) : "var(--mantine-color-gray-2)" }}
              title={`${hourText(h)}: ${p ? names.period(p) : "none"}`}
            />
          ))}
        </div>
        <Text size="xs" c="gray.7">
          {said}
        </Text>
      </Stack>
    </Group>
  );
}

function holidayText(h: NonNullable<Schedule["holidays"]>[number]): string {
  if (typeof h === "string") return /^\d{2}-\d{2}$/.test(h) ? monthDay(h) : h;
  const nth = h.nth === -1 ? "last" : (["first", "second", "third", "fourth", "fifth"][h.nth - 1] ?? `${h.nth}th`);
  return `${nth} ${words(h.weekday)} of ${monthName(h.month)}`;
}

/** A time-of-use (or demand) schedule: per season and day type, the 24 hours; seasons alike shown once. */
function ScheduleStrips({
  v,
  schedule,
  names,
  id,
  title,
}: {
  v: TariffVersionDoc;
  schedule: Schedule;
  names: Names;
  id: string;
  title: string;
}) {
  const periods = schedule.periods.map((p) => p.name);
  const colorOf = (p: string) => COLORS[Math.max(0, periods.indexOf(p)) % COLORS.length]!;
  const seasons = seasonOrder(v, Object.keys(schedule.schedule));
  const groups = grouped(seasons, (s) => schedule.schedule[s]);
  return (
    <Section id={id} title={title}>
      <Group gap="md" aria-label="Periods" role="list">
        {schedule.periods.map((p) => (
          <Text key={p.name} size="sm" role="listitem">
            <span className={classes.swatch} style={{ backgroundColor: cssColor(colorOf(p.name)) }} />
            {p.label ?? words(p.name)}
          </Text>
        ))}
      </Group>
      <Box style={{ overflowX: "auto" }}>
        <Stack gap="sm" miw={480}>
          {groups.map((g) => (
            <Stack key={g.seasons.join()} gap={4} data-testid="tou-season">
              <Text size="sm" fw={600}>
                {seasonList(names, g.seasons)}
              </Text>
              <Group gap="sm" wrap="nowrap">
                <Box w={80} />
                <div className={classes.hours} aria-hidden="true" style={{ flex: 1 }}>
                  {Array.from({ length: 24 }, (_, h) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the 24 hours of a day
                    <span key={h}>{h % 3 === 0 ? h : ""}</span>
                  ))}
                </div>
              </Group>
              {g.value && (
                <>
                  <DayStrip label="Weekdays" blocks={g.value.weekday} colorOf={colorOf} names={names} />
                  <DayStrip label="Weekends" blocks={g.value.weekend} colorOf={colorOf} names={names} />
                </>
              )}
            </Stack>
          ))}
        </Stack>
      </Box>
      {schedule.holidays && schedule.holidays.length > 0 && (
        <Text size="sm">Holidays, priced as weekends: {schedule.holidays.map(holidayText).join("; ")}.</Text>
      )}
    </Section>
  );
}

const APPLIES_DEFAULT = "the usual lines";

function Others({ v }: { v: TariffVersionDoc }) {
  const rows: { kind: string; label: string; terms: string; amount: string }[] = [];
  for (const s of v.surcharges ?? []) {
    rows.push({
      kind: "Surcharge",
      label: s.label ?? words(s.name),
      terms: "on every kWh",
      amount: `${dollars(s.price_per_kwh)}/kWh`,
    });
  }
  for (const d of v.discounts ?? []) {
    const program = d.program === "care" ? "CARE" : d.program === "fera" ? "FERA" : words(d.program);
    rows.push({
      kind: "Discount",
      label: d.label ?? words(d.name),
      terms: `${program} customers; off ${d.applies_to ? d.applies_to.map(words).join(", ").toLowerCase() : APPLIES_DEFAULT}`,
      amount: `${percent(d.percent)} off`,
    });
  }
  for (const c of v.credits ?? []) {
    rows.push({
      kind: Number(c.amount) < 0 ? "Credit" : "Charge",
      label: c.label ?? words(c.name),
      terms: `on bills ending in ${c.months.map(monthName).join(", ")}`,
      amount: dollars(c.amount),
    });
  }
  for (const t of v.taxes ?? []) {
    rows.push({
      kind: "Tax",
      label: t.label ?? words(t.name),
      terms: t.applies_to ? `on ${t.applies_to.map(words).join(", ").toLowerCase()}` : "on every line above taxes",
      amount: percent(t.percent),
    });
  }
  if (rows.length === 0) return null;
  return (
    <Section id="prices-other" title="Surcharges, discounts, credits and taxes">
      <Table captionSide="top" verticalSpacing={2} striped data-testid="others-table">
        <Caption>Applied after the energy and demand charges</Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Kind</Table.Th>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Applies</Table.Th>
            <Table.Th scope="col" className={classes.num}>
              Amount
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={`${r.kind}-${r.label}`}>
              <Table.Td>
                <Badge variant="light" color="gray" size="sm">
                  {r.kind}
                </Badge>
              </Table.Td>
              <Table.Td>{r.label}</Table.Td>
              <Table.Td>{r.terms}</Table.Td>
              <Table.Td className={classes.num}>{r.amount}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

/** One version's prices in words and tables: seasons, charges, baseline, energy, schedule, demand and the rest. */
export function Prices({ version }: { version: TariffVersionDoc }) {
  const names = namesOf(version);
  return (
    <Stack gap="lg" data-testid="tariff-prices">
      <Basics v={version} />
      <Baseline v={version} names={names} />
      <Energy v={version} names={names} />
      {version.time_of_use && (
        <ScheduleStrips
          v={version}
          schedule={version.time_of_use}
          names={names}
          id="prices-tou"
          title="Time-of-use schedule"
        />
      )}
      <Demand v={version} names={names} />
      {version.demand_schedule && (
        <ScheduleStrips
          v={version}
          schedule={version.demand_schedule}
          names={names}
          id="prices-demand-schedule"
          title="Demand periods"
        />
      )}
      <Others v={version} />
    </Stack>
  );
}
