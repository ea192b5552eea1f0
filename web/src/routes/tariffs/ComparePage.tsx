import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Container,
  FileInput,
  Group,
  List,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQueries, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, type KeyboardEvent, useRef, useState } from "react";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { money } from "../account/money.js";
import {
  type CompareRequest,
  type Comparison,
  compareRates,
  fetchTariff,
  fetchTariffs,
  SECTORS,
  TARIFFS_KEY,
  tariffKey,
} from "./api.js";
import { isQuantity, lastMonths, monthOf, problemsOf, words } from "./format.js";
import { territoriesOf } from "./QuoteForm.js";
import classes from "./Tariffs.module.css";

const BASIS: Record<string, string> = {
  intervals: "interval data, hour by hour",
  register: "the monthly kWh",
  load_shape: "the monthly kWh spread over a typical day's hours",
};

/** Demand is asked for where tariffs charge for it: every sector but homes and street lights. */
const asksDemand = (sector: string) => sector !== "residential" && sector !== "lighting";

type FieldKey = "sector" | "territory" | "csv" | "months" | `kwh-${number}` | `demand-${number}`;

/** Which field of the form a name in the API's answer is. */
function fieldOf(name: string): FieldKey | null {
  const n = name.replace(/^(body|facts)\./, "");
  if (n === "sector" || n === "territory") return n;
  if (n.startsWith("intervals") || /^line \d+/.test(n)) return "csv";
  const m = /^months[.[](\d+)\]?(?:\.(\w+))?/.exec(n);
  if (m) {
    const row = Number(m[1]);
    if (m[2] === "demand_kw") return `demand-${row}`;
    return `kwh-${row}`;
  }
  if (n === "months") return "months";
  return null;
}

const kwhId = (i: number) => `compare-kwh-${i}`;

/** The comparison: annual totals cheapest first, then the months side by side, then the tariffs refused. */
function Results({ comparison }: { comparison: Comparison }) {
  const rows = comparison.rows;
  const cheapest = rows[0];
  const months = cheapest?.months ?? [];
  return (
    <Stack gap="md" component="section" aria-labelledby="compare-result-title" data-testid="compare-result">
      <Title order={2} size="h4" id="compare-result-title">
        The tariffs side by side
      </Title>
      <Text size="sm" role="status" data-testid="compare-summary">
        {cheapest
          ? `${rows.length === 1 ? "1 tariff" : `${rows.length} tariffs`} priced; the cheapest is ${cheapest.tariff_code} at ${money(cheapest.total_cents)} a year.`
          : "No tariff of this sector could price this usage."}
      </Text>
      {rows.length > 0 && (
        <Table captionSide="top" verticalSpacing={4} striped withTableBorder data-testid="compare-annual">
          <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
            A year's bills, cheapest first
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Tariff</Table.Th>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col" className={classes.num}>
                A year
              </Table.Th>
              <Table.Th scope="col" className={classes.num}>
                More than the cheapest
              </Table.Th>
              <Table.Th scope="col">Priced on</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={r.tariff_code} className={i === 0 ? classes.best : undefined}>
                <Table.Th scope="row">
                  <Anchor
                    renderRoot={(props) => <Link {...props} to="/tariffs/$code" params={{ code: r.tariff_code }} />}
                    ff="monospace"
                    fw={600}
                    c="indigo.8"
                  >
                    {r.tariff_code}
                  </Anchor>
                  {i === 0 && (
                    <Badge ml={6} color="green" variant="light" size="sm">
                      Cheapest
                    </Badge>
                  )}
                </Table.Th>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td className={classes.num} fw={600}>
                  {money(r.total_cents)}
                </Table.Td>
                <Table.Td className={classes.num}>
                  {i === 0 || !cheapest ? "—" : money(BigInt(r.total_cents) - BigInt(cheapest.total_cents))}
                </Table.Td>
                <Table.Td>{BASIS[r.basis] ?? r.basis}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {rows.length > 0 && (
        <div style={{ overflowX: "auto" }}>
          <Table captionSide="top" verticalSpacing={4} striped withTableBorder data-testid="compare-months">
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              Each month's bill on each tariff
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Month</Table.Th>
                {rows.map((r) => (
                  <Table.Th key={r.tariff_code} scope="col" className={classes.num}>
                    {r.tariff_code}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {months.map((m, i) => (
                <Table.Tr key={m.from}>
                  <Table.Th scope="row" fw={400} title={`${m.from} to ${m.to}`}>
                    {monthOf(m.from)}
                  </Table.Th>
                  {rows.map((r) => (
                    <Table.Td key={r.tariff_code} className={classes.num}>
                      {r.months[i] ? money(r.months[i]!.total_cents) : "—"}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
            <Table.Tfoot>
              <Table.Tr>
                <Table.Th scope="row">A year</Table.Th>
                {rows.map((r) => (
                  <Table.Td key={r.tariff_code} className={classes.num} fw={700}>
                    {money(r.total_cents)}
                  </Table.Td>
                ))}
              </Table.Tr>
            </Table.Tfoot>
          </Table>
        </div>
      )}
      {comparison.refused.length > 0 && (
        <Alert color="yellow" title="Not compared" data-testid="compare-refused">
          <List size="sm" aria-label="Tariffs not compared">
            {comparison.refused.map((r) => (
              <List.Item key={r.tariff_code}>
                <Text span ff="monospace" fw={600} size="sm">
                  {r.tariff_code}
                </Text>
                : {r.reason}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}

/**
 * Rate comparison: a year of monthly kWh (the last 12 calendar months, typed down the column: Enter goes to the
 * next month, and on the last month compares) or an interval CSV, with the customer's sector, territory and
 * programs; every tariff of the sector priced side by side, cheapest first, and those that cannot price it with why.
 */
function Compare() {
  const [months] = useState(() => lastMonths(12));
  const [kwh, setKwh] = useState<string[]>(() => months.map(() => ""));
  const [demand, setDemand] = useState<string[]>(() => months.map(() => ""));
  const [sector, setSector] = useState("residential");
  const [territory, setTerritory] = useState("");
  const [care, setCare] = useState(false);
  const [fera, setFera] = useState(false);
  const [csv, setCsv] = useState<File | null>(null);
  const [checked, setChecked] = useState<Partial<Record<FieldKey, string>>>({});
  const inputs = useRef<(HTMLInputElement | null)[]>([]);

  // The territories the sector's baseline tariffs know.
  const tariffs = useQuery({ queryKey: TARIFFS_KEY, queryFn: ({ signal }) => fetchTariffs(signal) });
  const withBaseline = (tariffs.data ?? []).filter((t) => t.sector === sector && t.features.baseline);
  const details = useQueries({
    queries: withBaseline.map((t) => ({
      queryKey: tariffKey(t.code),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchTariff(t.code, signal),
    })),
  });
  const territories = [...new Set(details.flatMap((d) => (d.data ? territoriesOf(d.data) : [])))].sort();

  const compare = useMutation({
    mutationFn: async ({ body, file }: { body: CompareRequest; file: File | null }) =>
      compareRates(file ? { ...body, intervals_csv: await file.text() } : body),
  });
  const { byField, general } = problemsOf(compare.error, fieldOf);
  const errors: Partial<Record<FieldKey, string>> = { ...byField, ...checked };

  const focusField = (key: FieldKey) => {
    const id = key.startsWith("kwh-")
      ? kwhId(Number(key.slice(4)))
      : key.startsWith("demand-")
        ? `compare-demand-${key.slice(7)}`
        : `compare-${key}`;
    requestAnimationFrame(() => document.getElementById(id)?.focus());
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (compare.isPending) return;
    const next: Partial<Record<FieldKey, string>> = {};
    if (!csv) {
      kwh.forEach((k, i) => {
        if (!isQuantity(k)) next[`kwh-${i}`] = k.trim() ? "kWh, like 512.4" : "The month's kWh";
      });
      if (asksDemand(sector)) {
        demand.forEach((d, i) => {
          if (d.trim() && !isQuantity(d)) next[`demand-${i}`] = "kW, like 42.5";
        });
      }
    }
    setChecked(next);
    compare.reset();
    const first = Object.keys(next)[0] as FieldKey | undefined;
    if (first) {
      focusField(first);
      return;
    }
    const body: CompareRequest = {
      sector,
      ...(territory ? { territory } : {}),
      care,
      fera,
      ...(csv
        ? {}
        : {
            months: months.map((m, i) => ({
              from: m.from,
              to: m.to,
              kwh: kwh[i]!.trim(),
              ...(asksDemand(sector) && demand[i]!.trim() ? { demand_kw: demand[i]!.trim() } : {}),
            })),
          }),
    };
    compare.mutate(
      { body, file: csv },
      {
        onError: (err) => {
          const named = Object.keys(problemsOf(err, fieldOf).byField)[0] as FieldKey | undefined;
          if (named) focusField(named);
          else requestAnimationFrame(() => document.getElementById("compare-errors")?.focus());
        },
      },
    );
  };

  const onFormKey = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) submit(event);
  };
  /** Enter and ↓ go down the column, ↑ up; Enter on the last month compares. */
  const onCellKey = (event: KeyboardEvent<HTMLInputElement>, i: number) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const to = event.key === "Enter" || event.key === "ArrowDown" ? i + 1 : event.key === "ArrowUp" ? i - 1 : null;
    if (to === null) return;
    event.preventDefault();
    if (to >= months.length) {
      if (event.key === "Enter") submit();
      return;
    }
    if (to >= 0) inputs.current[to]?.focus();
  };
  const setAt = (list: string[], i: number, value: string) => list.map((x, j) => (j === i ? value : x));
  const showDemand = asksDemand(sector);

  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <PageTitle>Compare rates</PageTitle>
        <Text size="sm" c="gray.7">
          A year of the customer's usage priced on every tariff of their sector, cheapest first. Type each month's kWh
          (Enter goes down the column) or choose the meter's interval data.
        </Text>
        <Paper withBorder p="md">
          <form onSubmit={submit} onKeyDown={onFormKey} noValidate aria-label="Compare rates">
            <Stack gap="md">
              {general.length > 0 && (
                <Alert id="compare-errors" tabIndex={-1} color="red" role="alert" title="No comparison">
                  {general.map((g) => (
                    <Text key={g} size="sm">
                      {g}
                    </Text>
                  ))}
                </Alert>
              )}
              <Group align="flex-start" gap="md">
                <NativeSelect
                  id="compare-sector"
                  label="Sector"
                  value={sector}
                  error={errors.sector}
                  onChange={(e) => {
                    setSector(e.currentTarget.value);
                    setTerritory("");
                    compare.reset();
                  }}
                  data={SECTORS.map((s) => ({ value: s, label: words(s) }))}
                />
                <NativeSelect
                  id="compare-territory"
                  label="Territory"
                  description="For tariffs with a baseline"
                  value={territory}
                  error={errors.territory}
                  onChange={(e) => setTerritory(e.currentTarget.value)}
                  data={[{ value: "", label: "None" }, ...territories.map((t) => ({ value: t, label: t }))]}
                />
                <Stack gap={6} pt={24}>
                  <Checkbox label="CARE" checked={care} onChange={(e) => setCare(e.currentTarget.checked)} />
                  <Checkbox label="FERA" checked={fera} onChange={(e) => setFera(e.currentTarget.checked)} />
                </Stack>
              </Group>
              <Group align="flex-start" gap="xl">
                <Table
                  captionSide="top"
                  verticalSpacing={2}
                  withRowBorders={false}
                  w="auto"
                  data-testid="compare-usage"
                  aria-describedby="compare-usage-keys"
                >
                  <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
                    Monthly usage, the last 12 months
                  </Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Month</Table.Th>
                      <Table.Th scope="col">Service days</Table.Th>
                      <Table.Th scope="col">kWh</Table.Th>
                      {showDemand && <Table.Th scope="col">Demand kW</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {months.map((m, i) => (
                      <Table.Tr key={m.from}>
                        <Table.Th scope="row" fw={400}>
                          {m.label}
                        </Table.Th>
                        <Table.Td>
                          <Text size="sm" className={classes.num} ta="left">
                            {m.from} to {m.to}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <TextInput
                            id={kwhId(i)}
                            ref={(el) => {
                              inputs.current[i] = el;
                            }}
                            aria-label={`kWh in ${m.label}`}
                            size="xs"
                            w={120}
                            inputMode="decimal"
                            autoComplete="off"
                            disabled={csv !== null}
                            value={csv ? "" : kwh[i]}
                            error={errors[`kwh-${i}`]}
                            onFocus={(e) => e.currentTarget.select()}
                            onKeyDown={(e) => onCellKey(e, i)}
                            onChange={(e) => {
                              const value = e.currentTarget.value;
                              setKwh((k) => setAt(k, i, value));
                              setChecked({});
                            }}
                            data-page-focus={i === 0 ? "" : undefined}
                          />
                        </Table.Td>
                        {showDemand && (
                          <Table.Td>
                            <TextInput
                              id={`compare-demand-${i}`}
                              aria-label={`Demand kW in ${m.label}`}
                              size="xs"
                              w={100}
                              inputMode="decimal"
                              autoComplete="off"
                              disabled={csv !== null}
                              value={csv ? "" : demand[i]}
                              error={errors[`demand-${i}`]}
                              onFocus={(e) => e.currentTarget.select()}
                              onChange={(e) => {
                                const value = e.currentTarget.value;
                                setDemand((d) => setAt(d, i, value));
                                setChecked({});
                              }}
                            />
                          </Table.Td>
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                <Stack gap="sm" maw={420}>
                  <Text size="xs" c="gray.7" id="compare-usage-keys">
                    Enter or ↓ goes to the next month, ↑ to the one before; Enter on the last month compares.
                  </Text>
                  {errors.months && (
                    <Text size="sm" c="red.9" role="alert">
                      {errors.months}
                    </Text>
                  )}
                  <FileInput
                    id="compare-csv"
                    label="Or interval data"
                    description="A CSV with the header start,kwh; the months it covers are compared"
                    placeholder="Choose a CSV file"
                    styles={{ placeholder: { color: "var(--mantine-color-gray-7)" } }}
                    accept=".csv,text/csv,text/plain"
                    value={csv}
                    error={errors.csv}
                    onChange={(f) => {
                      setCsv(f);
                      setChecked({});
                      compare.reset();
                    }}
                    clearable
                    clearButtonProps={{ "aria-label": "Clear the interval file chosen" }}
                  />
                  <Group>
                    <Button type="submit" loading={compare.isPending}>
                      Compare
                    </Button>
                  </Group>
                </Stack>
              </Group>
            </Stack>
          </form>
        </Paper>
        {compare.data && <Results comparison={compare.data} />}
      </Stack>
    </Container>
  );
}

/** Rate comparison for a customer: which tariff of their sector is cheapest for their usage. */
export function ComparePage() {
  return useCan("tariffs.read") ? <Compare /> : <NoAccess what="Rate comparison" />;
}
