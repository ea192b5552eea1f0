import { Alert, Anchor, Badge, Button, Container, Group, Kbd, List, Loader, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";
import { APPROVALS_KEY, type ApprovalRequest, fetchApprovalQueue } from "../../api/approvals.js";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { restoreFocus } from "../../focus.js";
import { useCan } from "../../user.js";
import { money } from "../account/money.js";
import classes from "./ApprovalsPage.module.css";
import { type Decision, DecisionModal, whatOf } from "./DecisionModal.js";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

/** How long a request has waited, as people say it. */
export function waited(seconds: number): string {
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** Why the reader cannot decide a request, or null when they can. */
const whyNot = (r: ApprovalRequest) => (r.can_decide ? null : r.yours ? "Your request" : "Above your limit");

/** The row as a screen reader hears it when it takes focus. */
const rowLabel = (r: ApprovalRequest) =>
  `${whatOf(r)} on account ${r.account_number}, ${r.customer_name}: ${r.summary}. Asked by ${r.requested_by}, ` +
  `waiting ${waited(r.age_seconds)}.${whyNot(r) ? ` ${whyNot(r)}.` : ""}`;

function Queue() {
  const queue = useQuery({
    queryKey: APPROVALS_KEY,
    queryFn: ({ signal }) => fetchApprovalQueue(signal),
    refetchInterval: 30_000,
  });
  const navigate = useNavigate();
  const requests = queue.data?.approvals ?? [];
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const index = Math.max(
    0,
    requests.findIndex((r) => r.id === selectedId),
  );
  const selected = requests[index];
  const [dialog, setDialog] = useState<{ mode: Decision; request: ApprovalRequest } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const noticeLine = useRef<HTMLParagraphElement>(null);
  const rows = useRef(new Map<number, HTMLTableRowElement>());

  const focusRow = useCallback((r: ApprovalRequest | undefined) => {
    if (!r) return;
    setSelectedId(r.id);
    rows.current.get(r.id)?.focus();
  }, []);
  // Arriving on the page, the cursor goes to the first request once the queue is read (not if the person moved on).
  const arrived = useRef(false);
  useEffect(() => {
    if (arrived.current || !queue.data) return;
    arrived.current = true;
    const first = queue.data.approvals[0];
    const active = document.activeElement;
    if (first && (active === document.body || active?.matches("h1"))) focusRow(first);
  }, [queue.data, focusRow]);
  useEffect(() => {
    if (notice) noticeLine.current?.focus();
  }, [notice]);

  const open = (mode: Decision) => {
    if (selected?.can_decide) setDialog({ mode, request: selected });
  };
  const close = (done?: string) => {
    setDialog(null);
    if (done) setNotice(done);
    else setTimeout(restoreFocus, 0);
  };
  useCommands([
    {
      id: "approval-approve",
      label: "Approve the selected request",
      description: "Posts the credit or refund, with a note if you want one",
      group: "This page",
      shortcut: "a",
      keywords: ["approve", "ok", "accept"],
      run: () => open("approve"),
    },
    {
      id: "approval-reject",
      label: "Reject the selected request",
      description: "Nothing posts; say why in the note",
      group: "This page",
      shortcut: "r",
      keywords: ["reject", "decline", "deny"],
      run: () => open("reject"),
    },
    {
      id: "approval-refresh",
      label: "Refresh the approval queue",
      group: "This page",
      keywords: ["reload"],
      run: () => void queue.refetch(),
    },
  ]);

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, i: number) => {
    const move = (to: number) => {
      event.preventDefault();
      focusRow(requests[Math.min(requests.length - 1, Math.max(0, to))]);
    };
    if (event.key === "ArrowDown") move(i + 1);
    else if (event.key === "ArrowUp") move(i - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(requests.length - 1);
    else if (event.key === "Enter" && event.target === event.currentTarget) {
      event.preventDefault();
      void navigate({ to: "/accounts/$accountId", params: { accountId: String(requests[i]!.account_id) } });
    }
  };

  const limit = queue.data?.your_limit_cents;
  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <PageTitle>Approvals</PageTitle>
        <List size="sm" spacing={2} c="gray.7">
          <List.Item>
            Credits and refunds above their requester&apos;s limit wait here; nothing is posted until approved.{" "}
            {limit === null
              ? "You have no limit."
              : limit !== undefined && `Your own limit is ${money(limit)}: above it, a request needs someone else.`}
          </List.Item>
          <List.Item>
            <Kbd>↑</Kbd> <Kbd>↓</Kbd> choose a request, <Kbd>a</Kbd> approves it, <Kbd>r</Kbd> rejects it (say why),{" "}
            <Kbd>Enter</Kbd> opens the account.
          </List.Item>
        </List>
        {notice && (
          <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} data-testid="approval-notice">
            {notice}
          </Text>
        )}
        {queue.isPending && <Loader size="sm" aria-label="Loading the approval queue" />}
        {queue.isError && (
          <Alert color="red" role="alert" title="The queue did not load">
            {queue.error.message}
          </Alert>
        )}
        {queue.data && requests.length === 0 && <Text>Nothing is waiting for approval.</Text>}
        {requests.length > 0 && (
          <Table captionSide="top" verticalSpacing="xs" withTableBorder>
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              Waiting for approval: yours to decide first, oldest first
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Waiting</Table.Th>
                <Table.Th scope="col">Account</Table.Th>
                <Table.Th scope="col">Kind</Table.Th>
                <Table.Th scope="col" style={NUM}>
                  Amount
                </Table.Th>
                <Table.Th scope="col">What</Table.Th>
                <Table.Th scope="col">Asked by</Table.Th>
                <Table.Th scope="col">Decide</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {requests.map((r, i) => {
                const why = whyNot(r);
                return (
                  <Table.Tr
                    key={r.id}
                    ref={(el) => {
                      if (el) rows.current.set(r.id, el);
                      else rows.current.delete(r.id);
                    }}
                    className={classes.row}
                    tabIndex={i === index ? 0 : -1}
                    aria-label={rowLabel(r)}
                    data-selected={i === index || undefined}
                    data-testid="approval-row"
                    onFocus={() => setSelectedId(r.id)}
                    onKeyDown={(e) => onRowKey(e, i)}
                  >
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{waited(r.age_seconds)}</Table.Td>
                    <Table.Td>
                      <Anchor
                        ff="monospace"
                        c="indigo.9"
                        tabIndex={-1}
                        renderRoot={(props) => (
                          <Link {...props} to="/accounts/$accountId" params={{ accountId: String(r.account_id) }} />
                        )}
                      >
                        {r.account_number}
                      </Anchor>
                      <Text size="xs">{r.customer_name}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={r.kind === "refund" ? "orange" : "green"}>
                        {r.kind === "refund" ? "Refund" : "Credit"}
                      </Badge>
                    </Table.Td>
                    <Table.Td style={NUM} fw={600}>
                      {money(r.amount_cents)}
                    </Table.Td>
                    <Table.Td>{r.summary}</Table.Td>
                    <Table.Td>{r.requested_by}</Table.Td>
                    <Table.Td>
                      {why ? (
                        <Text size="sm" c="gray.7">
                          {why}
                        </Text>
                      ) : (
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="compact-xs"
                            tabIndex={-1}
                            onClick={() => setDialog({ mode: "approve", request: r })}
                          >
                            Approve
                          </Button>
                          <Button
                            size="compact-xs"
                            variant="default"
                            tabIndex={-1}
                            onClick={() => setDialog({ mode: "reject", request: r })}
                          >
                            Reject
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      <DecisionModal request={dialog?.request ?? null} mode={dialog?.mode ?? "approve"} onClose={close} />
    </Container>
  );
}

/** The approval queue: credits and refunds above their requester's limit, for those who decide them. */
export function ApprovalsPage() {
  return useCan("approvals.decide") ? <Queue /> : <NoAccess what="Approvals" />;
}
