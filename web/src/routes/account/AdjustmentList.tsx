import { Alert, Badge, Loader, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { Ref } from "react";
import { ADJUSTMENT_LIST_LIMIT, fetchAdjustments } from "../../api/adjustments.js";
import { type ApprovalRequest, fetchAccountApprovals } from "../../api/approvals.js";
import { ApiError } from "../../api/client.js";
import { moneyKey } from "../../api/ledger.js";
import { fetchRefunds, type Refund } from "../../api/refunds.js";
import { when } from "./format.js";
import { money } from "./money.js";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;
const CAPTION = { textAlign: "left", fontWeight: 600, marginBottom: 4 } as const;
const noRetryOn403 = (count: number, err: Error) => !(err instanceof ApiError && err.status === 403) && count < 2;

/** Where a request for approval stands, in words, with a colour. */
function standing(r: ApprovalRequest): [string, string] {
  if (r.status === "approved") return [`Approved by ${r.decided_by}`, "green"];
  if (r.status === "rejected") return [`Rejected by ${r.decided_by}`, "red"];
  return ["Waiting for approval", "yellow"];
}

/** The account's credits and refunds sent for approval: waiting ones, and what was decided (with the note). */
function ApprovalRequests({ requests }: { requests: ApprovalRequest[] }) {
  return (
    <Table captionSide="top" striped verticalSpacing={4}>
      <Table.Caption style={CAPTION} c="dark">
        Sent for approval, newest first
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Requested</Table.Th>
          <Table.Th scope="col">What</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Amount
          </Table.Th>
          <Table.Th scope="col">Requested by</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {requests.map((r) => {
          const [label, color] = standing(r);
          return (
            <Table.Tr key={r.id} data-testid="approval-request">
              <Table.Td style={{ whiteSpace: "nowrap" }}>{when(r.requested_at)}</Table.Td>
              <Table.Th scope="row" fw={600}>
                {r.kind === "refund" ? "Refund" : "Credit"}: {r.summary}
              </Table.Th>
              <Table.Td style={NUM} fw={600}>
                {money(r.amount_cents)}
              </Table.Td>
              <Table.Td>{r.requested_by}</Table.Td>
              <Table.Td>
                <Badge color={color} variant="light">
                  {label}
                </Badge>
                {r.decision_note && (
                  <Text size="xs" c="dimmed">
                    {r.decision_note}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

const REFUND_STATUS: Record<Refund["status"], [string, string]> = {
  posted: ["Posted", "green"],
  pending_approval: ["Waiting for approval", "yellow"],
  rejected: ["Rejected", "red"],
};

/** The account's refunds of credit balances, newest first. */
function Refunds({ refunds }: { refunds: Refund[] }) {
  return (
    <Table captionSide="top" striped verticalSpacing={4}>
      <Table.Caption style={CAPTION} c="dark">
        Refunds, newest first
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Date</Table.Th>
          <Table.Th scope="col">Refund</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Amount
          </Table.Th>
          <Table.Th scope="col">Reason</Table.Th>
          <Table.Th scope="col">Requested by</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {refunds.map((r) => {
          const [label, color] = REFUND_STATUS[r.status];
          return (
            <Table.Tr key={r.id} data-testid="refund">
              <Table.Td style={{ whiteSpace: "nowrap" }}>{r.accounting_date ?? "—"}</Table.Td>
              <Table.Th scope="row" fw={600}>
                {r.method === "ach" ? `ACH to the account ending ${r.last4}` : `Check to ${r.payee_name}`}
                <Text size="xs" c="dimmed" fw={400}>
                  Refund {r.id}
                  {r.method === "check" && r.payee_address ? ` · ${r.payee_address}` : ""}
                </Text>
              </Table.Th>
              <Table.Td style={NUM} fw={600}>
                {money(r.amount_cents)}
              </Table.Td>
              <Table.Td>
                {r.reason_label}
                {r.note && (
                  <Text size="xs" c="dimmed">
                    {r.note}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {r.requested_by}
                {r.approved_by && (
                  <Text size="xs" c="dimmed">
                    approved by {r.approved_by}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge color={color} variant="light">
                  {label}
                </Badge>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

/**
 * The account's adjustments, newest first: date, credit or charge, amount, reason, note and who made it (and who
 * approved it). Above them, the credits and refunds sent for approval and where each stands; below, the refunds.
 * What the last adjustment or refund made here did is said at the top (`notice`), and the caller puts focus there.
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
    retry: noRetryOn403,
  });
  const requests = useQuery({
    queryKey: [...moneyKey(accountId), "approvals"],
    queryFn: ({ signal }) => fetchAccountApprovals(accountId, signal),
    retry: noRetryOn403,
  });
  const refunds = useQuery({
    queryKey: [...moneyKey(accountId), "refunds"],
    queryFn: ({ signal }) => fetchRefunds(accountId, signal),
    retry: noRetryOn403,
  });
  const adjustments = list.data ?? [];
  return (
    <Stack gap="xs">
      {notice && (
        <Text ref={noticeRef} tabIndex={-1} role="status" fw={600} data-testid="adjustment-notice">
          {notice}
        </Text>
      )}
      {requests.data && requests.data.length > 0 && <ApprovalRequests requests={requests.data} />}
      {list.isPending && <Loader size="sm" aria-label="Loading the adjustments" />}
      {list.isError && <Alert color="red">The adjustments did not load: {list.error.message}</Alert>}
      {list.data && adjustments.length === 0 && <Text size="sm">No adjustments on this account yet.</Text>}
      {adjustments.length > 0 && (
        <Table captionSide="top" striped verticalSpacing={4}>
          <Table.Caption style={CAPTION} c="dark">
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
                <Table.Td>
                  {a.made_by}
                  {a.approved_by && (
                    <Text size="xs" c="dimmed">
                      approved by {a.approved_by}
                    </Text>
                  )}
                </Table.Td>
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
      {refunds.data && refunds.data.length > 0 && <Refunds refunds={refunds.data} />}
    </Stack>
  );
}
