import { Alert, Badge, Group, List, Loader, Modal, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ApiError, api } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";
import { money } from "./money.js";

/** One bill's facts as GET /bills/{id}/explanation compares them. */
export interface BillFacts {
  bill_id: number;
  bill_date: string;
  period: { from: string; to: string };
  days: number;
  kwh: string;
  kwh_per_day: string;
  total_cents: Cents;
  cents_per_kwh: string | null;
  estimated: boolean;
  tariffs: string[];
}

/** GET /bills/{id}/explanation: a headline and the reasons, one sentence each, to read out. */
export interface BillExplanation {
  bill_id: number;
  headline: string;
  reasons: { code: string; sentence: string; figures: Record<string, unknown> }[];
  bill: BillFacts;
  comparisons: { previous: { bill: BillFacts } | null; last_year: { bill: BillFacts } | null };
}

export const fetchExplanation = (billId: number, signal: AbortSignal) =>
  api.get<BillExplanation>(`/api/v1/bills/${billId}/explanation`, { signal });

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;
const kwhText = (kwh: string, digits = 0) =>
  Number(kwh).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** This bill, the last one and last year's side by side. */
function SideBySide({ e }: { e: BillExplanation }) {
  const columns: [string, BillFacts | null][] = [
    ["This bill", e.bill],
    ["Last bill", e.comparisons.previous?.bill ?? null],
    ["Same period last year", e.comparisons.last_year?.bill ?? null],
  ];
  const shown = columns.filter((c): c is [string, BillFacts] => c[1] !== null);
  const rows: [string, (b: BillFacts) => string][] = [
    ["Service period", (b) => `${b.period.from} to ${b.period.to}`],
    ["Days", (b) => String(b.days)],
    ["kWh", (b) => kwhText(b.kwh)],
    ["kWh a day", (b) => kwhText(b.kwh_per_day, 1)],
    ["Charges", (b) => money(b.total_cents)],
    ["Average price a kWh", (b) => (b.cents_per_kwh ? `${b.cents_per_kwh}¢` : "—")],
    ["Read", (b) => (b.estimated ? "Estimated" : "Actual")],
  ];
  return (
    <Table captionSide="top" verticalSpacing={4} striped withTableBorder data-testid="explanation-figures">
      <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
        The bills compared
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">
            <VisuallyHidden>Figure</VisuallyHidden>
          </Table.Th>
          {shown.map(([label, b]) => (
            <Table.Th key={label} scope="col" style={NUM}>
              {label}
              <Text size="xs" c="dimmed" fw={400}>
                Bill {b.bill_id}
              </Text>
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th scope="row" fw={400}>
              {label}
            </Table.Th>
            {shown.map(([column, b]) => (
              <Table.Td key={column} style={NUM}>
                {value(b)}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * "Why is this bill high?": the explanation of one bill against the last one and the same period last year, the
 * headline first, then each reason in a sentence to read to the customer, then the figures side by side.
 */
export function BillExplanationModal({
  bill,
  onClose,
}: {
  bill: { id: number; bill_date: string } | null;
  onClose: () => void;
}) {
  const explanation = useQuery({
    queryKey: ["bill", bill?.id, "explanation"],
    queryFn: ({ signal }) => fetchExplanation(bill!.id, signal),
    enabled: bill !== null,
    retry: (count, err) => !(err instanceof ApiError && (err.status === 403 || err.status === 404)) && count < 2,
  });
  const e = explanation.data;
  return (
    <Modal
      opened={bill !== null}
      onClose={onClose}
      size="xl"
      title={
        <Title order={2} size="h4" component="span">
          Why is this bill high?
        </Title>
      }
    >
      {bill && (
        <Stack gap="md" data-testid="bill-explanation">
          <Text size="sm" c="dimmed">
            Bill {bill.id} of {bill.bill_date}, against the last bill and the same period last year.
          </Text>
          {explanation.isPending && <Loader size="sm" aria-label="Explaining the bill" />}
          {explanation.isError && (
            <Alert color="red" role="alert">
              The explanation did not load: {explanation.error.message}
            </Alert>
          )}
          {e && (
            <>
              <Text fw={700} size="md" data-testid="explanation-headline" role="status">
                {e.headline}
              </Text>
              <div>
                <Group gap="xs" mb={4}>
                  <Title order={3} size="h5">
                    What to tell the customer
                  </Title>
                  {e.bill.estimated && (
                    <Badge color="blue.8" variant="filled">
                      Estimated
                    </Badge>
                  )}
                </Group>
                <List size="sm" spacing={6} data-testid="explanation-reasons" aria-label="Reasons">
                  {e.reasons.map((r) => (
                    <List.Item key={`${r.code}-${r.sentence}`} data-code={r.code}>
                      {r.sentence}
                    </List.Item>
                  ))}
                </List>
              </div>
              <div style={{ overflowX: "auto" }}>
                <SideBySide e={e} />
              </div>
            </>
          )}
        </Stack>
      )}
    </Modal>
  );
}
