import {
  Alert,
  Button,
  Checkbox,
  FileInput,
  Group,
  Loader,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { money } from "../account/money.js";
import {
  fetchTariff,
  type QuoteLine,
  type QuoteRequest,
  type QuoteResult,
  quoteBill,
  type TariffDetail,
  type TariffSummary,
  tariffKey,
} from "./api.js";
import { dollars, fractionPercent, isDate, isQuantity, lastMonths, problemsOf, quantity } from "./format.js";
import classes from "./Tariffs.module.css";

/** The territory letters of a tariff's baseline allowances, across its versions. */
export function territoriesOf(tariff: TariffDetail): string[] {
  const letters = new Set<string>();
  for (const v of tariff.document.versions) for (const t of Object.keys(v.baseline?.kwh_per_day ?? {})) letters.add(t);
  return [...letters].sort();
}

type Key = "tariff" | "from" | "to" | "kwh" | "csv" | "demand" | "territory" | "care" | "fera" | "medical";

/** Which field of the form a name in the API's answer is. */
function fieldOf(name: string): Key | null {
  const n = name.replace(/^(body|facts|period|usage)\./, "");
  if (n === "tariff_code" || n === "tariff") return "tariff";
  if (n === "from" || n === "to" || n === "territory" || n === "care" || n === "fera") return n;
  if (n === "kwh") return "kwh";
  if (n === "demand_kw" || n === "demandKw") return "demand";
  if (n === "medical_baseline" || n === "medicalBaseline") return "medical";
  if (n.startsWith("intervals") || /^line \d+/.test(n)) return "csv";
  return null;
}

/** Puts focus on the quote's first field (the first service day). */
export const focusQuote = () => document.querySelector<HTMLInputElement>("[data-quote-from]")?.focus();

const selectOnFocus = (e: { currentTarget: HTMLInputElement }) => e.currentTarget.select();

/** A line's quantity and price as a person reads them: a percentage line applies a percent to dollars. */
function lineCells(l: QuoteLine): { quantity: string; unit: string; price: string } {
  const percentLine = l.kind === "discount" || l.kind === "tax" || l.unit === "$" || l.unit === "USD";
  if (percentLine) return { quantity: dollars(l.quantity), unit: "", price: fractionPercent(l.price) };
  return { quantity: quantity(l.quantity), unit: l.unit, price: dollars(l.price) };
}

/** The quoted bill: its lines and total. */
export function QuoteLines({ quote, name }: { quote: QuoteResult; name?: string }) {
  const summary =
    `${quote.tariff_code}${name ? `, ${name}` : ""}: ${quote.from} to ${quote.to}, ` +
    `${quote.days === 1 ? "1 day" : `${quote.days} days`}, ${quantity(quote.kwh)} kWh`;
  return (
    <Stack gap={6} component="section" aria-labelledby="quote-result-title" data-testid="quote-result">
      <Title order={3} size="h5" id="quote-result-title">
        The bill
      </Title>
      <Text size="sm" role="status" data-testid="quote-summary">
        {summary}. Total {money(quote.total_cents)}.
      </Text>
      <Table captionSide="top" verticalSpacing={4} striped withTableBorder data-testid="quote-lines">
        <Table.Caption style={{ textAlign: "left", marginBottom: 2 }} c="gray.7" fz="sm">
          {quote.versions.length > 1
            ? `Priced on the versions from ${quote.versions.join(" and ")}`
            : `Priced on the version from ${quote.versions[0] ?? "—"}`}
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Description</Table.Th>
            <Table.Th scope="col" className={classes.num}>
              Quantity
            </Table.Th>
            <Table.Th scope="col">Unit</Table.Th>
            <Table.Th scope="col" className={classes.num}>
              Price
            </Table.Th>
            <Table.Th scope="col" className={classes.num}>
              Amount
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {quote.lines.map((l) => {
            const cells = lineCells(l);
            return (
              <Table.Tr key={`${l.rule}-${l.description}`} title={l.rule}>
                <Table.Td>{l.description}</Table.Td>
                <Table.Td className={classes.num}>{cells.quantity}</Table.Td>
                <Table.Td>{cells.unit}</Table.Td>
                <Table.Td className={classes.num}>{cells.price}</Table.Td>
                <Table.Td className={classes.num}>{money(l.amount_cents)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th scope="row" colSpan={4}>
              Total
            </Table.Th>
            <Table.Td className={classes.num} fw={700} data-testid="quote-total">
              {money(quote.total_cents)}
            </Table.Td>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Stack>
  );
}

/**
 * The bill calculator: a period, the usage (kWh, or an interval CSV in its place), demand when the tariff charges
 * for it, the territory when it has a baseline, and the customer's programs; Enter (or Ctrl+Enter anywhere) quotes.
 * With `tariffs` the person chooses the tariff; without, `code` is fixed (the tariff page's own).
 */
export function QuoteForm({
  code: fixedCode,
  tariffs,
  initialCode,
}: {
  code?: string;
  tariffs?: TariffSummary[];
  initialCode?: string;
}) {
  const [chosen, setChosen] = useState(fixedCode ?? initialCode ?? "");
  // On its own page the form appears once the book has loaded: the person arrived on the heading, and starts by
  // choosing the tariff (or, chosen already, typing the first service day).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on arrival
  useEffect(() => {
    if (!tariffs) return;
    const active = document.activeElement;
    if (active === document.body || active?.matches("h1")) {
      document.getElementById(chosen ? "quote-from" : "quote-tariff")?.focus();
    }
  }, []);
  const code = fixedCode ?? chosen;
  const tariff = useQuery({
    queryKey: tariffKey(code),
    queryFn: ({ signal }) => fetchTariff(code, signal),
    enabled: code !== "",
  });
  const [month] = useState(() => lastMonths(1)[0]!);
  const [from, setFrom] = useState(month.from);
  const [to, setTo] = useState(month.to);
  const [kwh, setKwh] = useState("");
  const [demand, setDemand] = useState("");
  const [territory, setTerritory] = useState("");
  const [care, setCare] = useState(false);
  const [fera, setFera] = useState(false);
  const [medical, setMedical] = useState(false);
  const [csv, setCsv] = useState<File | null>(null);
  const [checked, setChecked] = useState<Partial<Record<Key, string>>>({});
  const quote = useMutation({
    mutationFn: async (body: QuoteRequest & { csvFile?: File | null }) => {
      const { csvFile, ...rest } = body;
      return quoteBill(csvFile ? { ...rest, intervals_csv: await csvFile.text() } : rest);
    },
  });

  const detail = tariff.data;
  const features = detail?.features;
  const territories = detail ? territoriesOf(detail) : [];
  const hasBaseline = features?.baseline ?? false;
  const hasDemand = features?.demand ?? false;
  const { byField, general } = problemsOf(quote.error, fieldOf);
  const errors: Partial<Record<Key, string>> = { ...byField, ...checked };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (quote.isPending) return;
    const next: Partial<Record<Key, string>> = {};
    if (!code) next.tariff = "Choose a tariff";
    if (!isDate(from)) next.from = "A date written YYYY-MM-DD";
    if (!isDate(to)) next.to = "A date written YYYY-MM-DD";
    if (!csv && !isQuantity(kwh)) next.kwh = "The kWh used, like 600 or 512.4";
    if (hasDemand && demand.trim() && !isQuantity(demand)) next.demand = "The demand in kW, like 42.5";
    if (hasBaseline && !territory) next.territory = "Choose the baseline territory";
    setChecked(next);
    quote.reset();
    const first = (["tariff", "from", "to", "kwh", "demand", "territory"] as Key[]).find((k) => next[k]);
    if (first) {
      requestAnimationFrame(() => document.getElementById(`quote-${first}`)?.focus());
      return;
    }
    quote.mutate(
      {
        tariff_code: code,
        from,
        to,
        ...(csv ? {} : { kwh: kwh.trim() }),
        ...(hasDemand && demand.trim() ? { demand_kw: demand.trim() } : {}),
        ...(hasBaseline && territory ? { territory } : {}),
        care,
        fera,
        medical_baseline: medical,
        csvFile: csv,
      },
      {
        onError: (err) => {
          const named = problemsOf(err, fieldOf).byField;
          const firstNamed = (["tariff", "from", "to", "kwh", "csv", "demand", "territory"] as Key[]).find(
            (k) => named[k],
          );
          requestAnimationFrame(() =>
            document.getElementById(firstNamed ? `quote-${firstNamed}` : "quote-errors")?.focus(),
          );
        },
      },
    );
  };
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) submit(event);
  };
  const edited = () => {
    setChecked({});
  };

  return (
    <Stack gap="md">
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Quote a bill">
        <Stack gap="sm">
          {general.length > 0 && (
            <Alert id="quote-errors" tabIndex={-1} color="red" role="alert" title="No quote">
              {general.map((g) => (
                <Text key={g} size="sm">
                  {g}
                </Text>
              ))}
            </Alert>
          )}
          {tariffs && (
            <NativeSelect
              id="quote-tariff"
              label="Tariff"
              value={chosen}
              error={errors.tariff}
              onChange={(e) => {
                setChosen(e.currentTarget.value);
                setTerritory("");
                edited();
                quote.reset();
              }}
              data={[
                { value: "", label: "Choose a tariff" },
                ...tariffs.map((t) => ({ value: t.code, label: `${t.code}: ${t.name}` })),
              ]}
              maw={480}
              data-page-focus
            />
          )}
          {tariff.isError && (
            <Alert color="red" role="alert">
              {tariff.error.message}
            </Alert>
          )}
          <Group align="flex-start" gap="sm">
            <TextInput
              id="quote-from"
              label="First service day"
              placeholder="YYYY-MM-DD"
              autoComplete="off"
              w={170}
              value={from}
              error={errors.from}
              onFocus={selectOnFocus}
              onChange={(e) => {
                setFrom(e.currentTarget.value);
                edited();
              }}
              data-quote-from
            />
            <TextInput
              id="quote-to"
              label="Last service day"
              placeholder="YYYY-MM-DD"
              autoComplete="off"
              w={170}
              value={to}
              error={errors.to}
              onFocus={selectOnFocus}
              onChange={(e) => {
                setTo(e.currentTarget.value);
                edited();
              }}
            />
            <TextInput
              id="quote-kwh"
              label="Usage"
              rightSection={<Text size="sm">kWh</Text>}
              rightSectionWidth={44}
              inputMode="decimal"
              autoComplete="off"
              w={150}
              disabled={csv !== null}
              description={csv ? "From the interval data" : undefined}
              value={csv ? "" : kwh}
              error={errors.kwh}
              onFocus={selectOnFocus}
              onChange={(e) => {
                setKwh(e.currentTarget.value);
                edited();
              }}
            />
            {hasDemand && (
              <TextInput
                id="quote-demand"
                label="Demand (optional)"
                rightSection={<Text size="sm">kW</Text>}
                rightSectionWidth={36}
                inputMode="decimal"
                autoComplete="off"
                w={150}
                value={demand}
                error={errors.demand}
                onFocus={selectOnFocus}
                onChange={(e) => {
                  setDemand(e.currentTarget.value);
                  edited();
                }}
              />
            )}
            {hasBaseline && (
              <NativeSelect
                id="quote-territory"
                label="Territory"
                w={150}
                value={territory}
                error={errors.territory}
                onChange={(e) => {
                  setTerritory(e.currentTarget.value);
                  edited();
                }}
                data={[{ value: "", label: "Choose" }, ...territories.map((t) => ({ value: t, label: t }))]}
              />
            )}
          </Group>
          <FileInput
            id="quote-csv"
            label="Interval data (optional)"
            description="A CSV with the header start,kwh: priced hour by hour in place of the kWh"
            placeholder="Choose a CSV file"
            styles={{ placeholder: { color: "var(--mantine-color-gray-7)" } }}
            accept=".csv,text/csv,text/plain"
            maw={480}
            value={csv}
            error={errors.csv}
            onChange={(f) => {
              setCsv(f);
              edited();
              quote.reset();
            }}
            clearable
            clearButtonProps={{ "aria-label": "Clear the interval file chosen" }}
          />
          <Group gap="lg">
            <Checkbox
              label="CARE"
              checked={care}
              error={errors.care}
              onChange={(e) => setCare(e.currentTarget.checked)}
            />
            <Checkbox
              label="FERA"
              checked={fera}
              error={errors.fera}
              onChange={(e) => setFera(e.currentTarget.checked)}
            />
            <Checkbox
              label="Medical baseline"
              checked={medical}
              error={errors.medical}
              onChange={(e) => setMedical(e.currentTarget.checked)}
            />
          </Group>
          <Group>
            <Button type="submit" loading={quote.isPending} disabled={code !== "" && tariff.isPending}>
              Quote
            </Button>
            {code !== "" && tariff.isPending && <Loader size="xs" aria-label="Loading the tariff" />}
          </Group>
        </Stack>
      </form>
      {quote.data && <QuoteLines quote={quote.data} name={detail?.name} />}
    </Stack>
  );
}
