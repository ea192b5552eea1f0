import { Alert, Badge, Loader, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { Ref } from "react";
import { ADJUSTMENT_LIST_LIMIT, fetchAdjustments } from "../../api/adjustments.js";
import { ApiError } from "../../api/client.js";
import { moneyKey } from "../../api/ledger.js";
import { money } from "./money.js";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

/**
 * The account's adjustments, newest first: date, credit or charge, amount, reason, note and who made it. What the
 * last adjustment made here did is said above the table (`notice`), and the caller puts focus there.
 */
export function AdjustmentList({
  accountId,
  notice,
  noticeRef,
}: {
  accountId: number;
  notice: string | null;
  noticeRef: Ref<HTMLParagraphElement>;
}) {
  const list = useQuery({
    queryKey: [...moneyKey(accountId), "adjustments"],
    queryFn: ({ signal }) => fetchAdjustments(accountId, signal),
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const adjustments = list.data ?? [];
  return (
    <Stack gap="xs">
      {notice && (
        <Text ref={noticeRef} tabIndex={-1} role="status" fw={600} data-testid="adjustment-notice">
          {notice}
        </Text>
      )}
      {list.isPending && <Loader size="sm" aria-label="Loading the adjustments" />}
      {list.isError && <Alert color="red">The adjustments did not load: {list.error.message}</Alert>}
      {list.data && adjustments.length === 0 && <Text size="sm">No adjustments on this account yet.</Text>}
      {adjustments.length > 0 && (
        <Table captionSide="top" striped verticalSpacing={4}>
          <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
            Adjustments, newest first
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Date</Table.Th>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col" style={NUM}>
                Amount
              </Table.Th>
              <Table.Th scope="col">Reason</Table.Th>
              <Table.Th scope="col">Note</Table.Th>
              <Table.Th scope="col">Made by</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {adjustments.map((a) => (
              <Table.Tr key={a.id} data-testid="adjustment">
                <Table.Td style={{ whiteSpace: "nowrap" }}>{a.accounting_date}</Table.Td>
                <Table.Td>
                  <Badge color={a.kind === "credit" ? "green" : "blue"} variant="light">
                    {a.kind === "credit" ? "Credit" : "Charge"}
                  </Badge>
                </Table.Td>
                <Table.Td style={NUM} fw={600}>
                  {money(a.amount_cents)}
                </Table.Td>
                <Table.Th scope="row" fw={600}>
                  {a.reason_label}
                  <Text size="xs" c="dimmed" fw={400}>
                    Adjustment {a.id} · GL {a.gl_account}
                  </Text>
                </Table.Th>
                <Table.Td>{a.note ?? "—"}</Table.Td>
                <Table.Td>{a.made_by}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {adjustments.length >= ADJUSTMENT_LIST_LIMIT && (
        <Text size="sm" c="dimmed">
          The newest {ADJUSTMENT_LIST_LIMIT} are shown; the ledger has every one.
        </Text>
      )}
    </Stack>
  );
}
