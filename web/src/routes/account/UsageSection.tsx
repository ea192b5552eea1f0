import { Alert, Button, Group, Loader, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { ApiError, api } from "../../api/client.js";
import { useCommands } from "../../commands/registry.js";
import { restoreFocus } from "../../focus.js";
import { jumpToSection, Section } from "./AccountSections.js";
import { RateComparisonModal } from "./RateComparison.js";

/** GET /accounts/{id}/usage: 24 months of billed kWh, and daily interval kWh when the account has any. */
export interface AccountUsage {
  account_id: number;
  months: {
    month: string;
    kwh: string | null;
    days: number;
    kwh_per_day: string | null;
    estimated: boolean;
    bill_ids: number[];
  }[];
  total_kwh: string;
  days: number;
  daily: { from: string; to: string; days: { day: string; kwh: string | null; complete: boolean }[] } | null;
}

const TITLE_ID = "section-usage";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

const kwhText = (kwh: number | string, digits = 0) =>
  Number(kwh).toLocaleString("en-US", { maximumFractionDigits: digits });
/** "2026-06" -> "Jun 2026". */
const monthText = (ym: string) => `${MONTHS[Number(ym.slice(5, 7)) - 1]} ${ym.slice(0, 4)}`;
/** "2026-06-19" -> "Jun 19". */
const dayText = (iso: string) => `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${Number(iso.slice(8, 10))}`;

/** A round top for the scale: 1, 2, 2.5 or 5 times a power of ten, at least the largest bar. */
function scaleTop(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

interface Bar {
  key: string;
  value: number | null;
  /** Under the bar (empty: none). */
  label: string;
  /** A second line under the label (the year). */
  sublabel?: string;
  /** Drawn lighter, with a dashed outline (an estimated read, a day with readings missing). */
  muted?: boolean;
}

/** A bar chart in SVG: kWh bars over a scale with three lines, labels under the bars. Drawn as one image. */
function BarChart({ bars, title, testId }: { bars: Bar[]; title: string; testId: string }) {
  const titleId = useId();
  const W = 760;
  const H = 220;
  const left = 56;
  const right = 8;
  const top = 22;
  const bottom = 36;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const scale = scaleTop(Math.max(0, ...bars.map((b) => b.value ?? 0)));
  const slot = plotW / Math.max(bars.length, 1);
  const barW = Math.max(2, slot * 0.72);
  const y = (v: number) => top + plotH - (v / scale) * plotH;
  const ink = { fill: "var(--mantine-color-gray-8)" };
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      role="img"
      aria-labelledby={titleId}
      data-testid={testId}
      style={{ maxWidth: W, display: "block" }}
    >
      <title id={titleId}>{title}</title>
      {[0, scale / 2, scale].map((v) => (
        <g key={v}>
          <line
            x1={left}
            x2={W - right}
            y1={y(v)}
            y2={y(v)}
            style={{ stroke: "var(--mantine-color-gray-4)" }}
            strokeWidth={1}
          />
          <text x={left - 6} y={y(v) + 4} textAnchor="end" fontSize={11} style={ink}>
            {kwhText(v)}
          </text>
        </g>
      ))}
      <text x={left - 6} y={11} textAnchor="end" fontSize={11} style={ink}>
        kWh
      </text>
      {bars.map((b, i) => {
        const x = left + i * slot + (slot - barW) / 2;
        const cx = left + i * slot + slot / 2;
        return (
          <g key={b.key} data-value={b.value ?? ""}>
            {b.value !== null && b.value > 0 && (
              <rect
                x={x}
                y={y(b.value)}
                width={barW}
                height={y(0) - y(b.value)}
                rx={1.5}
                style={{
                  fill: b.muted ? "var(--mantine-color-indigo-2)" : "var(--mantine-color-indigo-6)",
                  stroke: b.muted ? "var(--mantine-color-indigo-8)" : "none",
                  strokeDasharray: b.muted ? "3 2" : undefined,
                }}
              />
            )}
            {b.label && (
              <text x={cx} y={H - bottom + 14} textAnchor="middle" fontSize={10} style={ink}>
                {b.label}
              </text>
            )}
            {b.sublabel && (
              <text x={cx} y={H - bottom + 27} textAnchor="middle" fontSize={10} style={ink}>
                {b.sublabel}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** The 24 months as bars, with a short summary read out as the chart's name. */
function MonthsChart({ usage }: { usage: AccountUsage }) {
  const months = usage.months;
  const billed = months.filter((m) => m.kwh !== null);
  const highest = billed.reduce<AccountUsage["months"][number] | null>(
    (best, m) => (best === null || Number(m.kwh) > Number(best.kwh) ? m : best),
    null,
  );
  const title =
    `kWh billed by month, ${monthText(months[0]!.month)} to ${monthText(months.at(-1)!.month)}: ` +
    (highest ? `highest ${kwhText(highest.kwh!)} kWh in ${monthText(highest.month)}` : "no bills");
  const bars: Bar[] = months.map((m, i) => ({
    key: m.month,
    value: m.kwh === null ? null : Number(m.kwh),
    label: MONTHS[Number(m.month.slice(5, 7)) - 1]!,
    sublabel: i === 0 || m.month.endsWith("-01") ? m.month.slice(0, 4) : undefined,
    muted: m.estimated,
  }));
  return <BarChart bars={bars} title={title} testId="usage-months-chart" />;
}

/** The last 60 days of interval data as bars, a label a week. */
function DailyChart({ daily }: { daily: NonNullable<AccountUsage["daily"]> }) {
  const bars: Bar[] = daily.days.map((d, i) => ({
    key: d.day,
    value: d.kwh === null ? null : Number(d.kwh),
    label: i % 7 === 0 ? dayText(d.day) : "",
    muted: d.kwh !== null && !d.complete,
  }));
  const known = daily.days.filter((d) => d.kwh !== null);
  const average = known.length ? known.reduce((s, d) => s + Number(d.kwh), 0) / known.length : 0;
  const title = `kWh a day from interval data, ${dayText(daily.from)} to ${dayText(daily.to)}: ${known.length} days with readings, ${kwhText(average, 1)} kWh a day on average`;
  return <BarChart bars={bars} title={title} testId="usage-daily-chart" />;
}

/** The months as a table, for reading the figures out. */
function MonthsTable({ usage }: { usage: AccountUsage }) {
  return (
    <Table captionSide="top" verticalSpacing={2} striped withTableBorder data-testid="usage-months-table">
      <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
        kWh billed by month, newest first
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Month</Table.Th>
          <Table.Th scope="col" style={NUM}>
            kWh
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Days
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            kWh a day
          </Table.Th>
          <Table.Th scope="col">Read</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...usage.months].reverse().map((m) => (
          <Table.Tr key={m.month}>
            <Table.Th scope="row" fw={400}>
              {monthText(m.month)}
            </Table.Th>
            <Table.Td style={NUM}>{m.kwh === null ? "—" : kwhText(m.kwh)}</Table.Td>
            <Table.Td style={NUM}>{m.kwh === null ? "—" : m.days}</Table.Td>
            <Table.Td style={NUM}>{m.kwh_per_day === null ? "—" : kwhText(m.kwh_per_day, 1)}</Table.Td>
            <Table.Td>{m.kwh === null ? "" : m.estimated ? "Estimated" : "Actual"}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Brings the usage into view with focus on its heading. */
export function jumpToUsage() {
  jumpToSection(TITLE_ID);
}

/**
 * "Usage": 24 months of billed kWh as a bar chart (lighter bars: estimated reads), the figures as a table on request,
 * the last 60 days of interval data when the meter records it, and (with billed usage) "Compare rates": the
 * account's last 12 months on every tariff of its sector. Both in the palette ("Usage", "Compare rates").
 */
export function UsageSection({ accountId }: { accountId: number }) {
  const usage = useQuery({
    queryKey: ["account", accountId, "usage"],
    queryFn: ({ signal }) => api.get<AccountUsage>(`/api/v1/accounts/${accountId}/usage`, { signal }),
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const [comparing, setComparing] = useState(false);
  const [figures, setFigures] = useState(false);
  const tableId = useId();
  // Rates are compared on billed usage: without any there is nothing to compare.
  const canCompare = usage.data?.months.some((m) => m.kwh !== null) ?? false;
  useCommands([
    {
      id: "account-usage",
      label: "Usage",
      description: "The account's kWh by month for two years, and by day from interval data",
      group: "This page",
      keywords: ["usage", "kwh", "chart", "consumption", "history"],
      run: jumpToUsage,
    },
    ...(canCompare
      ? [
          {
            id: "account-compare-rates",
            label: "Compare rates",
            description: "The account's last 12 months of usage on every tariff of its sector",
            group: "This page" as const,
            keywords: ["rate", "tariff", "cheapest", "savings", "plan"],
            run: () => setComparing(true),
          },
        ]
      : []),
  ]);

  let body: ReactNode;
  if (usage.isPending) body = <Loader size="sm" aria-label="Loading the usage" />;
  else if (usage.isError) {
    const forbidden = usage.error instanceof ApiError && usage.error.status === 403;
    body = (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include bills." : `The usage did not load: ${usage.error.message}`}
      </Alert>
    );
  } else {
    const u = usage.data;
    const billed = u.months.filter((m) => m.kwh !== null);
    body = (
      <Stack gap="sm">
        {billed.length === 0 ? (
          <Text size="sm">No billed usage in the last 24 months.</Text>
        ) : (
          <>
            <Text size="sm" data-testid="usage-summary">
              {kwhText(u.total_kwh)} kWh billed over {u.days} days ({kwhText(Number(u.total_kwh) / u.days, 1)} kWh a
              day), by the month each billed period ended.
              {billed.some((m) => m.estimated) ? " Light bars with a dashed edge are from estimated reads." : ""}
            </Text>
            <MonthsChart usage={u} />
            <Group>
              <Button
                size="xs"
                variant="light"
                aria-expanded={figures}
                aria-controls={tableId}
                onClick={() => setFigures((f) => !f)}
              >
                {figures ? "Hide the figures" : "Show the figures"}
              </Button>
            </Group>
            <div id={tableId} hidden={!figures}>
              {figures && <MonthsTable usage={u} />}
            </div>
          </>
        )}
        {u.daily && (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              kWh a day, last 60 days of interval data
            </Text>
            <DailyChart daily={u.daily} />
          </Stack>
        )}
      </Stack>
    );
  }
  return (
    <Section
      title="Usage"
      actions={
        canCompare && (
          <Button size="xs" variant="light" onClick={() => setComparing(true)}>
            Compare rates
          </Button>
        )
      }
    >
      {body}
      <RateComparisonModal
        accountId={accountId}
        opened={comparing}
        onClose={() => {
          setComparing(false);
          setTimeout(restoreFocus, 0);
        }}
      />
    </Section>
  );
}
