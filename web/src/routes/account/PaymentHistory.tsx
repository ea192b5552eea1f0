import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Table, Text, VisuallyHidden } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError } from "../../api/client.js";
import { moneyKey } from "../../api/ledger.js";
import { fetchPayments, type PaymentSummary, receiptUrl } from "../../api/payments.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { useCan } from "../../user.js";
import { words } from "./format.js";
import { money } from "./money.js";
import { ReverseModal } from "./ReverseModal.js";
import { TransferModal } from "./TransferModal.js";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

/** Where the payment stands on this account, in words, with a colour. */
function standing(p: PaymentSummary): [string, string] {
  if (p.status === "reversed") {
    return [`Reversed${p.reversal_reason ? `: ${words(p.reversal_reason)}` : ""}`, "red"];
  }
  const moved = p.account_shares.some((s) => s.status === "transferred");
  if (moved && p.account_amount_cents === 0) return ["Moved to another account", "gray"];
  if (moved) return ["Posted, part moved", "blue"];
  return ["Posted", "green"];
}

/**
 * The account's payments, newest first: tender, amount on this account, where it stands, the receipt, and (with
 * the permission) Reverse and Transfer, each asking to confirm in a dialog. What a correction did is said under
 * the table, and focus goes there.
 */
export function PaymentHistory({ accountId, accountNumber }: { accountId: number; accountNumber: string }) {
  const history = useInfiniteQuery({
    queryKey: [...moneyKey(accountId), "payments"],
    queryFn: ({ signal, pageParam }) => fetchPayments(accountId, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const canReverse = useCan("payments.reverse");
  const canTransfer = useCan("payments.transfer");
  const [dialog, setDialog] = useState<{ kind: "reverse" | "transfer"; payment: PaymentSummary } | null>(null);
  const { notice, ref: noticeLine, say } = useNotice();
  const close = (done?: string) => {
    setDialog(null);
    // The row's button may be gone (a reversed payment has none): the line saying what happened takes focus.
    if (done) say(done);
    else setTimeout(restoreFocus, 0);
  };

  if (history.isPending) return <Loader size="sm" aria-label="Loading the payments" />;
  if (history.isError && !history.data) return <Alert color="red">{history.error.message}</Alert>;
  const payments = history.data.pages.flatMap((p) => p.payments);
  return (
    <Stack gap="xs">
      {notice && (
        <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} data-testid="payment-notice">
          {notice}
        </Text>
      )}
      {payments.length === 0 ? (
        <Text size="sm">No payments on this account yet.</Text>
      ) : (
        <Table captionSide="top" striped verticalSpacing={4}>
          <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
            Payments, newest first
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Date</Table.Th>
              <Table.Th scope="col">Payment</Table.Th>
              <Table.Th scope="col" style={NUM}>
                Amount
              </Table.Th>
              <Table.Th scope="col" style={NUM}>
                On this account
              </Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {payments.map((p) => {
              const [label, color] = standing(p);
              const open = p.status === "posted";
              return (
                <Table.Tr key={p.id} data-testid="payment">
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{p.accounting_date}</Table.Td>
                  <Table.Th scope="row" fw={600}>
                    {p.tenders.map((t) => t.description).join(", ")}
                    <Text size="xs" c="dimmed" fw={400}>
                      Payment {p.id} · {words(p.channel)} · {p.taken_by}
                    </Text>
                  </Table.Th>
                  <Table.Td style={NUM}>{money(p.total_cents)}</Table.Td>
                  <Table.Td style={NUM} fw={600}>
                    {money(p.account_amount_cents)}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={color} variant="light">
                      {label}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Anchor href={receiptUrl(p.id)} target="_blank" rel="noopener" size="sm">
                        Receipt<VisuallyHidden> for payment {p.id} (PDF)</VisuallyHidden>
                      </Anchor>
                      {open && canReverse && (
                        <Button
                          size="compact-sm"
                          variant="light"
                          color="red"
                          aria-label={`Reverse payment ${p.id}`}
                          onClick={() => setDialog({ kind: "reverse", payment: p })}
                        >
                          Reverse
                        </Button>
                      )}
                      {open && canTransfer && p.account_amount_cents > 0 && (
                        <Button
                          size="compact-sm"
                          variant="light"
                          aria-label={`Transfer payment ${p.id}`}
                          onClick={() => setDialog({ kind: "transfer", payment: p })}
                        >
                          Transfer
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {history.hasNextPage && (
        <Group>
          <Button
            size="xs"
            variant="light"
            aria-busy={history.isFetchingNextPage}
            onClick={() => void history.fetchNextPage()}
          >
            {history.isFetchingNextPage ? "Loading older payments…" : "Show older payments"}
          </Button>
        </Group>
      )}
      <ReverseModal
        payment={dialog?.kind === "reverse" ? dialog.payment : null}
        accountId={accountId}
        onClose={close}
      />
      <TransferModal
        payment={dialog?.kind === "transfer" ? dialog.payment : null}
        accountId={accountId}
        accountNumber={accountNumber}
        onClose={close}
      />
    </Stack>
  );
}
