import {
  Alert,
  Anchor,
  Chip,
  Container,
  Group,
  Kbd,
  List,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  VisuallyHidden,
} from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { restoreFocus } from "../../focus.js";
import { useCan } from "../../user.js";
import { money } from "../account/money.js";
import { ActionModal, type Done } from "./ActionModal.js";
import { billPdfUrl, EXCEPTIONS_KEY, fetchHeld, type HeldBill } from "./api.js";
import classes from "./Billing.module.css";
import { type Action, BillPanel } from "./BillPanel.js";
import { count, kwhText, plainNote, reasonLabel, stamp } from "./words.js";

const ALL = "all";

/** The row as a screen reader hears it when it takes focus. */
const rowLabel = (b: HeldBill) =>
  `Bill ${b.bill_id}, account ${b.account_number}, ${b.name}: ${money(b.total_cents)} for ${kwhText(b.kwh)} kWh, ` +
  `held for ${reasonLabel(b.exception).toLowerCase()}.`;

/** Puts focus on the queue's selected row (the one row in the tab order). */
export function focusQueue() {
  document.querySelector<HTMLElement>("[data-exception-queue] tr[tabindex='0']")?.focus();
}

/** The new bill's total next to the old one's, after a rebill. */
function RebillCompare({ done }: { done: NonNullable<Done["rebill"]> }) {
  return (
    <Paper withBorder p="xs" data-testid="rebill-compare" aria-label="Rebill: old and new totals" role="group">
      <Group gap="xl">
        <Text size="sm">
          Was: bill {done.oldId}, <b>{money(done.oldTotal)}</b> (cancelled)
        </Text>
        <Text size="sm">
          Now: bill {done.newId}, <b data-testid="rebill-new-total">{money(done.newTotal)}</b>{" "}
          <Anchor href={billPdfUrl(done.newId)} target="_blank" rel="noopener" size="sm">
            Open PDF<VisuallyHidden> of bill {done.newId} (opens in a new tab)</VisuallyHidden>
          </Anchor>
        </Text>
      </Group>
    </Paper>
  );
}

function Queue() {
  const canRun = useCan("billing.run");
  const [reason, setReason] = useState(ALL);
  const queue = useQuery({
    queryKey: [...EXCEPTIONS_KEY, reason],
    queryFn: ({ signal }) => fetchHeld(reason === ALL ? null : reason, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
  const bills = queue.data?.items ?? [];
  const byReason = queue.data?.by_reason ?? {};
  const total = Object.values(byReason).reduce((s, n) => s + n, 0);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  // The last dialog's bill and action stay while it closes; `dialogOpen` says whether it is open.
  const [dialog, setDialog] = useState<{ action: Action; bill: HeldBill } | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const rows = useRef(new Map<number, HTMLTableRowElement>());
  const lastIndex = useRef(0);
  const noticeLine = useRef<HTMLDivElement>(null);
  const index = bills.findIndex((b) => b.bill_id === selectedId);
  const selected = index >= 0 ? bills[index] : undefined;
  const opened = bills.find((b) => b.bill_id === openId);

  // The selection stays on its bill while it is there; once worked, the bill now in its place is selected.
  useEffect(() => {
    if (bills.length === 0) return;
    if (index >= 0) {
      lastIndex.current = index;
      return;
    }
    setSelectedId(bills[Math.min(lastIndex.current, bills.length - 1)]!.bill_id);
  }, [bills, index]);

  const focusRow = useCallback((b: HeldBill | undefined) => {
    if (!b) return;
    setSelectedId(b.bill_id);
    rows.current.get(b.bill_id)?.focus();
  }, []);
  // Arriving on the page, the cursor goes to the oldest held bill once the queue is read.
  const arrived = useRef(false);
  useEffect(() => {
    if (arrived.current || !queue.data) return;
    arrived.current = true;
    const active = document.activeElement;
    if (queue.data.items[0] && (active === document.body || active?.matches("h1"))) focusRow(queue.data.items[0]);
  }, [queue.data, focusRow]);

  // After a bill is worked, focus goes back to the queue once it has reloaded without that bill: to the bill now
  // selected in its place, or to the line saying what was done when the queue is empty.
  // (The queue may already have reloaded when the dialog closes: `done` changing runs this too.)
  const workedId = useRef<number | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: done marks a bill just worked
  useEffect(() => {
    if (workedId.current === null || bills.some((b) => b.bill_id === workedId.current)) return;
    if (bills.length > 0 && !selected) return;
    workedId.current = null;
    if (selected) rows.current.get(selected.bill_id)?.focus();
    else noticeLine.current?.focus();
  }, [bills, selected, done]);

  const act = (action: Action, bill = selected) => {
    if (!bill) return;
    if (action === "release" && bill.exception === "cannot_price") {
      setDone({
        billId: bill.bill_id,
        message: "A bill that could not be priced cannot be released: correct and rebill it.",
      });
      return;
    }
    setDialog({ action, bill });
    setDialogOpen(true);
  };
  const open = (bill: HeldBill | undefined) => {
    if (!bill) return;
    setOpenId(bill.bill_id);
    requestAnimationFrame(() => {
      const title = document.querySelector<HTMLElement>("[data-bill-panel-title]");
      title?.scrollIntoView({ block: "nearest" });
      title?.focus({ preventScroll: true });
    });
  };
  const close = (result?: Done) => {
    setDialogOpen(false);
    if (!result) {
      setTimeout(restoreFocus, 0);
      return;
    }
    setDone(result);
    workedId.current = result.billId;
    if (openId === result.billId) setOpenId(null);
  };

  useCommands([
    {
      id: "bill-exception-release",
      label: "Release the selected bill",
      description: "Issue the held bill as it is: posted now, due from today",
      group: "This page",
      shortcut: "r",
      keywords: ["release", "issue", "approve", "ok"],
      run: () => act("release"),
    },
    {
      id: "bill-exception-rebill",
      label: "Correct and rebill the selected bill",
      description: "Correct the end reading, cancel the bill and bill the period again",
      group: "This page",
      shortcut: "b",
      keywords: ["rebill", "correct", "read", "reading", "fix"],
      run: () => act("rebill"),
    },
    {
      id: "bill-exception-cancel",
      label: "Cancel the selected bill",
      description: "Drop the held bill, saying why; its period is billed again in the next run",
      group: "This page",
      shortcut: "c",
      keywords: ["cancel", "drop", "void"],
      run: () => act("cancel"),
    },
    {
      id: "bill-exception-queue",
      label: "Go to the held bills",
      description: "Put the cursor on the selected bill in the queue",
      group: "This page",
      shortcut: "q",
      keywords: ["queue", "list"],
      run: focusQueue,
    },
  ]);

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, i: number) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const move = (to: number) => {
      event.preventDefault();
      focusRow(bills[Math.min(bills.length - 1, Math.max(0, to))]);
    };
    if (event.key === "ArrowDown") move(i + 1);
    else if (event.key === "ArrowUp") move(i - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(bills.length - 1);
    else if (event.key === "Enter" && event.target === event.currentTarget) {
      event.preventDefault();
      open(bills[i]);
    }
  };

  const reasons = Object.entries(byReason).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <PageTitle>Bill exceptions</PageTitle>
        <List size="sm" spacing={2} c="gray.7">
          <List.Item>
            Bills a run held for review, oldest first: release one as it is, correct its reading and rebill it, or
            cancel it. Nothing is posted to the account until it is released or rebilled.
            {canRun && (
              <>
                {" Runs are started on "}
                <Anchor component={Link} to="/billing/runs" size="sm" c="dark" underline="always">
                  Bill runs
                </Anchor>
                .
              </>
            )}
          </List.Item>
          <List.Item>
            <Kbd>↑</Kbd> <Kbd>↓</Kbd> choose a bill, <Kbd>Enter</Kbd> opens it, <Kbd>r</Kbd> releases it, <Kbd>b</Kbd>{" "}
            corrects and rebills it, <Kbd>c</Kbd> cancels it (say why), <Kbd>q</Kbd> back to the queue.
          </List.Item>
        </List>
        {reasons.length > 0 && (
          <Chip.Group multiple={false} value={reason} onChange={(v) => setReason(v)}>
            <Group gap="xs" role="group" aria-label="Show the bills held for">
              <Chip value={ALL} size="sm" variant="outline">
                All reasons · {total}
              </Chip>
              {reasons.map(([r, n]) => (
                <Chip key={r} value={r} size="sm" variant="outline">
                  {reasonLabel(r)} · {n}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        )}
        <Stack gap={6} ref={noticeLine} tabIndex={-1} role="status" aria-live="polite" data-testid="exception-notice">
          {done && (
            <Text fw={600} size="sm">
              {done.message}
            </Text>
          )}
          {done?.rebill && <RebillCompare done={done.rebill} />}
        </Stack>
        {queue.isPending && <Loader size="sm" aria-label="Loading the held bills" />}
        {queue.isError && (
          <Alert color="red" role="alert" title="The queue did not load">
            {queue.error.message}
          </Alert>
        )}
        {queue.data && bills.length === 0 && (
          <Text>
            {reason === ALL
              ? "No bill is held for review."
              : `No bill is held for ${reasonLabel(reason).toLowerCase()}.`}
          </Text>
        )}
        {bills.length > 0 && (
          <Table captionSide="top" verticalSpacing="xs" withTableBorder highlightOnHover data-exception-queue>
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              Held bills, oldest first ({count(bills.length, "bill")}
              {reason === ALL ? "" : `, ${reasonLabel(reason).toLowerCase()}`})
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Account</Table.Th>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Class</Table.Th>
                <Table.Th scope="col">Bill date</Table.Th>
                <Table.Th scope="col">Period</Table.Th>
                <Table.Th scope="col" className={classes.num}>
                  kWh
                </Table.Th>
                <Table.Th scope="col" className={classes.num}>
                  Total
                </Table.Th>
                <Table.Th scope="col">Why it is held</Table.Th>
                <Table.Th scope="col">Held since</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {bills.map((b, i) => (
                <Table.Tr
                  key={b.bill_id}
                  ref={(el) => {
                    if (el) rows.current.set(b.bill_id, el);
                    else rows.current.delete(b.bill_id);
                  }}
                  className={classes.row}
                  tabIndex={b.bill_id === selected?.bill_id ? 0 : -1}
                  aria-label={rowLabel(b)}
                  data-selected={b.bill_id === selected?.bill_id || undefined}
                  data-testid="held-bill"
                  onFocus={() => setSelectedId(b.bill_id)}
                  onClick={() => setSelectedId(b.bill_id)}
                  onDoubleClick={() => open(b)}
                  onKeyDown={(e) => onRowKey(e, i)}
                >
                  <Table.Td>
                    <Anchor
                      className={classes.mono}
                      size="sm"
                      c="indigo.9"
                      tabIndex={-1}
                      renderRoot={(props) => (
                        <Link {...props} to="/accounts/$accountId" params={{ accountId: String(b.account_id) }} />
                      )}
                    >
                      {b.account_number}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{b.name}</Table.Td>
                  <Table.Td>{b.customer_class}</Table.Td>
                  <Table.Td className={classes.nowrap}>{b.bill_date}</Table.Td>
                  <Table.Td className={classes.nowrap}>
                    {b.period.from} to {b.period.to}
                  </Table.Td>
                  <Table.Td className={classes.num}>{kwhText(b.kwh)}</Table.Td>
                  <Table.Td className={classes.num} fw={600}>
                    {money(b.total_cents)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {reasonLabel(b.exception)}
                    </Text>
                    {b.exception_note && (
                      <Text size="xs" c="gray.7">
                        {plainNote(b.exception_note)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td className={classes.nowrap}>{stamp(b.held_since)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {opened && <BillPanel key={opened.bill_id} held={opened} onAction={(a) => act(a, opened)} />}
      </Stack>
      <ActionModal
        held={dialog?.bill ?? null}
        action={dialog?.action ?? "release"}
        opened={dialogOpen}
        onClose={close}
      />
    </Container>
  );
}

/** The bill exception queue: held bills to release, correct and rebill, or cancel, for billing analysts. */
export function BillExceptionsPage() {
  return useCan("billing.exceptions") ? <Queue /> : <NoAccess what="Bill exceptions" />;
}
