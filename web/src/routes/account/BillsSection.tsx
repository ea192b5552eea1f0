import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Table, Text, VisuallyHidden } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ApiError, api } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";
import { useCommands } from "../../commands/registry.js";
import { Section } from "./AccountSections.js";
import { BillExplanationModal } from "./BillExplanation.js";
import { words } from "./format.js";
import { money } from "./money.js";
import { UsageSection } from "./UsageSection.js";

/** A bill in the account's list, as GET /accounts/{id}/bills answers it. */
export interface BillSummary {
  id: number;
  bill_date: string;
  period_from: string;
  period_to: string;
  due_date: string;
  /** issued | held | cancelled */
  status: string;
  kwh: string;
  estimated: boolean;
  total_cents: Cents;
  amount_due_cents: Cents;
  exception: string | null;
  cancel_reason: string | null;
  rebill_of: number | null;
  rebilled_by: number | null;
}

interface BillPage {
  bills: BillSummary[];
  next_cursor: number | null;
}

const BILL_PAGE = 12;
const TITLE_ID = "section-bills";
const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

const fetchBills = (accountId: number, before: number | undefined, signal: AbortSignal) =>
  api.get<BillPage>(`/api/v1/accounts/${accountId}/bills`, { signal, query: { limit: BILL_PAGE, before } });

/** The bill document (PDF) as the customer got it. */
export const billPdfUrl = (id: number) => `/api/v1/bills/${id}/pdf`;

/** kWh as people read them: "1234.500" -> "1,234.5". */
const kwhText = (kwh: string) => Number(kwh).toLocaleString("en-US", { maximumFractionDigits: 3 });

/** Where the bill stands, in words, with a colour. */
function standing(b: BillSummary): [string, string] {
  if (b.status === "held") return [`Held${b.exception ? `: ${words(b.exception).toLowerCase()}` : ""}`, "orange"];
  if (b.status === "cancelled") return ["Cancelled", "gray"];
  return ["Issued", "green"];
}

/** Brings the bills into view with focus on the heading, so the next Tab reaches the first bill's PDF. */
export function jumpToBills() {
  const title = document.getElementById(TITLE_ID);
  const section = title?.closest("section");
  if (!title || !section) return;
  title.setAttribute("tabindex", "-1");
  section.style.scrollMarginTop = "calc(var(--app-shell-header-height, 60px) + 8px)";
  section.scrollIntoView({ block: "start" });
  title.focus({ preventScroll: true });
}

/**
 * "Bills": the account's bills, newest first, held and cancelled ones included, each with its period, usage,
 * charges, amount due, due date, where it stands and its PDF (opens in a new tab). In the palette as "Bills".
 */
export function BillsSection({ accountId }: { accountId: number }) {
  const list = useInfiniteQuery({
    queryKey: ["account", accountId, "bills"],
    queryFn: ({ signal, pageParam }) => fetchBills(accountId, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const [explaining, setExplaining] = useState<BillSummary | null>(null);
  useCommands([
    {
      id: "account-bills",
      label: "Bills",
      description: "The account's bills with their PDFs, newest first",
      group: "This page",
      keywords: ["bill", "statement", "invoice", "pdf", "usage", "kwh", "due date"],
      run: jumpToBills,
    },
  ]);

  let body: ReactNode;
  if (list.isPending) body = <Loader size="sm" aria-label="Loading the bills" />;
  else if (list.isError && !list.data) {
    const forbidden = list.error instanceof ApiError && list.error.status === 403;
    body = (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include bills." : `The bills did not load: ${list.error.message}`}
      </Alert>
    );
  } else {
    const bills = list.data?.pages.flatMap((p) => p.bills) ?? [];
    body =
      bills.length === 0 ? (
        <Text size="sm">No bills on this account yet.</Text>
      ) : (
        <Stack gap="xs">
          <Table captionSide="top" striped verticalSpacing={4}>
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              Bills, newest first
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Bill date</Table.Th>
                <Table.Th scope="col">Service period</Table.Th>
                <Table.Th scope="col" style={NUM}>
                  kWh
                </Table.Th>
                <Table.Th scope="col" style={NUM}>
                  Charges
                </Table.Th>
                <Table.Th scope="col" style={NUM}>
                  Amount due
                </Table.Th>
                <Table.Th scope="col">Due date</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Document</Table.Th>
                <Table.Th scope="col">Explain</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {bills.map((b) => {
                const [label, color] = standing(b);
                // A cancelled bill's amounts are no longer owed: shown, but not as what is due.
                const gone = b.status === "cancelled";
                return (
                  <Table.Tr key={b.id} data-testid="bill">
                    <Table.Th scope="row" fw={600} style={{ whiteSpace: "nowrap" }}>
                      {b.bill_date}
                      <Text size="xs" c="dimmed" fw={400}>
                        Bill {b.id}
                        {b.rebill_of ? ` · replaces bill ${b.rebill_of}` : ""}
                      </Text>
                    </Table.Th>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>
                      {b.period_from} to {b.period_to}
                    </Table.Td>
                    <Table.Td style={NUM}>{kwhText(b.kwh)}</Table.Td>
                    <Table.Td style={NUM} c={gone ? "dimmed" : undefined}>
                      {money(b.total_cents)}
                    </Table.Td>
                    <Table.Td style={NUM} fw={gone ? 400 : 600} c={gone ? "dimmed" : undefined}>
                      {money(b.amount_due_cents)}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{b.due_date}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        <Badge color={color} variant="light">
                          {label}
                        </Badge>
                        {b.estimated && (
                          <Badge color="blue.8" variant="outline">
                            Estimated
                          </Badge>
                        )}
                      </Group>
                      {b.status === "cancelled" && (b.cancel_reason || b.rebilled_by) && (
                        <Text size="xs" c="dimmed">
                          {[b.cancel_reason, b.rebilled_by ? `replaced by bill ${b.rebilled_by}` : null]
                            .filter(Boolean)
                            .join("; ")}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Anchor href={billPdfUrl(b.id)} target="_blank" rel="noopener" size="sm">
                        Open PDF<VisuallyHidden> of the bill of {b.bill_date} (opens in a new tab)</VisuallyHidden>
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {b.status === "issued" && (
                        <Button size="compact-xs" variant="light" onClick={() => setExplaining(b)}>
                          Why is this bill high?<VisuallyHidden> (bill of {b.bill_date})</VisuallyHidden>
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
          {list.hasNextPage && (
            <Group>
              <Button
                size="xs"
                variant="light"
                aria-busy={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? "Loading older bills…" : "Show older bills"}
              </Button>
            </Group>
          )}
        </Stack>
      );
  }
  return (
    <>
      <Section title="Bills">
        {body}
        <BillExplanationModal bill={explaining} onClose={() => setExplaining(null)} />
      </Section>
      <UsageSection accountId={accountId} />
    </>
  );
}
