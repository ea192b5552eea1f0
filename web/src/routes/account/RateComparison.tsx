import { Alert, Badge, List, Loader, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";
import { money } from "./money.js";

/** GET /accounts/{id}/rate-comparison: the account's last 12 months of billed usage on every tariff of its sector. */
export interface AccountRateComparison {
  account_id: number;
  sector: string;
  territory: string | null;
  programs: string[];
  current_tariff: string | null;
  periods: { bill_id: number; from: string; to: string; kwh: string }[];
  from: string | null;
  to: string | null;
  days: number;
  kwh: string;
  rows: {
    tariff_code: string;
    name: string;
    total_cents: Cents;
    basis: string;
    current: boolean;
    difference_cents: Cents | null;
    savings_per_year_cents: Cents | null;
  }[];
  refused: { tariff_code: string; reason: string }[];
  summary: string;
}

export const rateComparisonKey = (accountId: number) => ["account", accountId, "rate-comparison"] as const;

const fetchComparison = (accountId: number, signal: AbortSignal) =>
  api.get<AccountRateComparison>(`/api/v1/accounts/${accountId}/rate-comparison`, { signal });

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;
const BASIS: Record<string, string> = {
  intervals: "interval data",
  register: "the billed kWh",
  load_shape: "the billed kWh over a typical day's hours",
};

const PROGRAMS: Record<string, string> = { care: "CARE", fera: "FERA", medical_baseline: "Medical Baseline" };

/** What a tariff saves (or costs more) a year than the current one, in words. */
function savings(cents: Cents | null, current: boolean): string {
  if (current) return "Current tariff";
  if (cents === null) return "—";
  const c = BigInt(cents);
  if (c === 0n) return "The same";
  return c > 0n ? `Saves ${money(c)}` : `Costs ${money(-c)} more`;
}

/**
 * "Compare rates": the account's last 12 months of billed usage priced on every tariff of its sector with its
 * territory and programs, cheapest first, the current tariff marked, what each saves a year against it.
 */
export function RateComparisonModal({
  accountId,
  opened,
  onClose,
}: {
  accountId: number;
  opened: boolean;
  onClose: () => void;
}) {
  const comparison = useQuery({
    queryKey: rateComparisonKey(accountId),
    queryFn: ({ signal }) => fetchComparison(accountId, signal),
    enabled: opened,
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const c = comparison.data;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="xl"
      title={
        <Title order={2} size="h4" component="span">
          Compare rates
        </Title>
      }
    >
      <Stack gap="md" data-testid="rate-comparison">
        {comparison.isPending && <Loader size="sm" aria-label="Pricing the account's usage on every tariff" />}
        {comparison.isError && (
          <Alert color="red" role="alert">
            The comparison did not load: {comparison.error.message}
          </Alert>
        )}
        {c && (
          <>
            <Text fw={600} role="status" data-testid="rate-comparison-summary">
              {c.summary}
            </Text>
            {c.periods.length > 0 && (
              <Text size="sm" c="dimmed">
                {c.periods.length === 1 ? "1 bill" : `${c.periods.length} bills`} ({c.days} days), {c.sector}
                {c.territory ? `, baseline territory ${c.territory}` : ""}
                {c.programs.length > 0 ? `, ${c.programs.map((p) => PROGRAMS[p] ?? p).join(", ")}` : ""}.
              </Text>
            )}
            {c.rows.length > 0 && (
              <div style={{ overflowX: "auto" }}>
                <Table captionSide="top" verticalSpacing={4} striped withTableBorder data-testid="rate-comparison-rows">
                  <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
                    The last 12 months on each tariff, cheapest first
                  </Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Tariff</Table.Th>
                      <Table.Th scope="col" style={NUM}>
                        12 months
                      </Table.Th>
                      <Table.Th scope="col" style={NUM}>
                        A year against the current
                      </Table.Th>
                      <Table.Th scope="col">Priced on</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {c.rows.map((r, i) => (
                      <Table.Tr key={r.tariff_code} data-testid="rate-row" data-current={r.current || undefined}>
                        <Table.Th scope="row" fw={400}>
                          <Text span ff="monospace" fw={700}>
                            {r.tariff_code}
                          </Text>
                          {i === 0 && (
                            <Badge ml={6} color="green" variant="light" size="sm">
                              Cheapest
                            </Badge>
                          )}
                          {r.current && (
                            <Badge ml={6} color="indigo" variant="filled" size="sm">
                              Current
                            </Badge>
                          )}
                          <Text size="xs" c="dimmed">
                            {r.name}
                          </Text>
                        </Table.Th>
                        <Table.Td style={NUM} fw={600}>
                          {money(r.total_cents)}
                        </Table.Td>
                        <Table.Td
                          style={NUM}
                          fw={
                            r.savings_per_year_cents !== null && !r.current && BigInt(r.savings_per_year_cents) > 0n
                              ? 700
                              : 400
                          }
                        >
                          {savings(r.savings_per_year_cents, r.current)}
                        </Table.Td>
                        <Table.Td>{BASIS[r.basis] ?? r.basis}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            )}
            {c.refused.length > 0 && (
              <Alert color="yellow" title="Not compared">
                <List size="sm" aria-label="Tariffs not compared">
                  {c.refused.map((r) => (
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
          </>
        )}
      </Stack>
    </Modal>
  );
}
