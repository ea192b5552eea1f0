import { Alert, Anchor, Badge, Chip, Container, Group, Kbd, List, Loader, Stack, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useRef, useState } from "react";
import {
  type FieldOrder,
  fetchOrders,
  ORDER_KIND_WORDS,
  ORDERS_KEY,
  type OrderKind,
  type OrderStatus,
} from "../../api/orders.js";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useRowCursor } from "../../components/useRowCursor.js";
import { restoreFocus } from "../../focus.js";
import { useCan } from "../../user.js";
import { count } from "../billing/words.js";
import classes from "../collections/Collections.module.css";
import { CompleteOrderModal, completedOutcome } from "./CompleteOrderModal.js";

export interface OrdersSearch {
  status?: Exclude<OrderStatus, "open">;
  kind?: OrderKind;
}

/** The page's address carries its filters: /orders?status=completed&kind=reconnect. */
export function ordersSearch(search: Record<string, unknown>): OrdersSearch {
  const out: OrdersSearch = {};
  if (search.status === "completed" || search.status === "cancelled") out.status = search.status;
  if (typeof search.kind === "string" && Object.hasOwn(ORDER_KIND_WORDS, search.kind)) {
    out.kind = search.kind as OrderKind;
  }
  return out;
}

const STATUS_WORDS: Record<OrderStatus, string> = { open: "Open", completed: "Completed", cancelled: "Cancelled" };
const ALL = "all";

const idOf = (o: FieldOrder) => o.id;

/** The row as a screen reader hears it when it takes focus. */
const rowLabel = (o: FieldOrder) =>
  `Order ${o.id}: ${ORDER_KIND_WORDS[o.kind].toLowerCase()} at ${o.service_address ?? "no premise on file"}, ` +
  `account ${o.account_number}, ${o.status === "open" ? `due ${o.due_on}` : o.status}` +
  (o.priority === "same_day" ? ", same day" : "");

function Outcome({ o }: { o: FieldOrder }) {
  if (o.status === "open") return <>Open</>;
  if (o.status === "cancelled") {
    return (
      <>
        Cancelled{o.closed_by ? ` by ${o.closed_by}` : ""}
        {o.cancel_reason && (
          <Text size="xs" c="gray.7">
            {o.cancel_reason}
          </Text>
        )}
      </>
    );
  }
  return (
    <>
      Completed {o.completed_on}
      {o.closed_by ? ` by ${o.closed_by}` : ""}
      <Text size="xs" c="gray.7">
        {[o.completion_read && `Read ${o.completion_read}`, o.notes].filter(Boolean).join(". ") || "No read or notes"}
      </Text>
    </>
  );
}

function Orders() {
  const canComplete = useCan("orders.complete");
  const search = useSearch({ from: "/orders" });
  const status: OrderStatus = search.status ?? "open";
  const kind = search.kind ?? null;
  const navigate = useNavigate();
  const orders = useQuery({
    queryKey: [...ORDERS_KEY, status, kind ?? ALL],
    queryFn: ({ signal }) => fetchOrders({ status, kind }, signal),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const list = orders.data?.orders;
  const [completing, setCompleting] = useState<FieldOrder | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const noticeLine = useRef<HTMLParagraphElement>(null);
  const openAccount = (o: FieldOrder) =>
    void navigate({ to: "/accounts/$accountId", params: { accountId: String(o.account_id) } });
  const complete = (o: FieldOrder | undefined) => {
    if (o?.status !== "open" || !canComplete) return;
    setCompleting(o);
    setDialogOpen(true);
  };
  const cursor = useRowCursor(list, idOf, {
    onOpen: (o) => (o.status === "open" && canComplete ? complete(o) : openAccount(o)),
  });
  const close = (result?: FieldOrder) => {
    setDialogOpen(false);
    if (!result) {
      setTimeout(restoreFocus, 0);
      return;
    }
    setDone(completedOutcome(result));
    // Back to the list on the order now in the worked one's place; the line above says what was done.
    setTimeout(() => {
      if (!cursor.focusSelected()) noticeLine.current?.focus();
    }, 0);
  };
  const filter = (next: OrdersSearch) =>
    void navigate({
      to: "/orders",
      search: { ...(next.status ? { status: next.status } : {}), ...(next.kind ? { kind: next.kind } : {}) },
    });

  useCommands([
    ...(canComplete
      ? [
          {
            id: "order-complete",
            label: "Complete the selected order",
            description: "The day it was done, the meter read and notes",
            group: "This page" as const,
            shortcut: "c",
            keywords: ["complete", "done", "worked", "close", "read"],
            run: () => complete(cursor.selected),
          },
        ]
      : []),
    {
      id: "order-account",
      label: "Open the selected order's account",
      group: "This page",
      shortcut: "a",
      keywords: ["account", "customer"],
      run: () => cursor.selected && openAccount(cursor.selected),
    },
    {
      id: "order-list",
      label: "Go to the orders",
      description: "Put the cursor on the selected order in the list",
      group: "This page",
      shortcut: "q",
      keywords: ["queue", "list"],
      run: cursor.focusSelected,
    },
    ...(["open", "completed", "cancelled"] as const).map((s) => ({
      id: `orders-status-${s}`,
      label: `Show ${STATUS_WORDS[s].toLowerCase()} orders`,
      group: "This page" as const,
      keywords: ["filter", "status"],
      run: () => filter({ status: s === "open" ? undefined : s, kind: kind ?? undefined }),
    })),
  ]);

  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <PageTitle>Field orders</PageTitle>
        <List size="sm" spacing={2} c="gray.7">
          <List.Item>
            Disconnect and reconnect orders, the open ones by due date (same-day reconnections marked). An order paid
            off before the work is cancelled by the collections run and leaves this list.
          </List.Item>
          <List.Item>
            <Kbd>j</Kbd> <Kbd>k</Kbd> or <Kbd>↓</Kbd> <Kbd>↑</Kbd> choose an order,{" "}
            {canComplete && (
              <>
                <Kbd>Enter</Kbd> or <Kbd>c</Kbd> completes it (the read, the day, notes; <Kbd>Ctrl</Kbd>+
                <Kbd>Enter</Kbd>),{" "}
              </>
            )}
            <Kbd>a</Kbd> opens its account, <Kbd>q</Kbd> back to the list.
          </List.Item>
        </List>
        <Group gap="lg">
          <Chip.Group
            multiple={false}
            value={status}
            onChange={(v) =>
              filter({ status: v === "open" ? undefined : (v as OrdersSearch["status"]), kind: kind ?? undefined })
            }
          >
            <Group gap="xs" role="group" aria-label="Show the orders that are">
              {(["open", "completed", "cancelled"] as const).map((s) => (
                <Chip key={s} value={s} size="sm" variant="outline">
                  {STATUS_WORDS[s]}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
          <Chip.Group
            multiple={false}
            value={kind ?? ALL}
            onChange={(v) => filter({ status: search.status, kind: v === ALL ? undefined : (v as OrderKind) })}
          >
            <Group gap="xs" role="group" aria-label="Show the orders to">
              <Chip value={ALL} size="sm" variant="outline">
                Every kind
              </Chip>
              {(Object.keys(ORDER_KIND_WORDS) as OrderKind[]).map((k) => (
                <Chip key={k} value={k} size="sm" variant="outline">
                  {ORDER_KIND_WORDS[k]}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </Group>
        <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} size="sm" data-testid="orders-notice">
          {done}
        </Text>
        {orders.isPending && <Loader size="sm" aria-label="Loading the orders" />}
        {orders.isError && (
          <Alert color="red" role="alert" title="The orders did not load">
            {orders.error.message}
          </Alert>
        )}
        {list && list.length === 0 && (
          <Text>
            No {status === "open" ? "open" : status} {kind ? ORDER_KIND_WORDS[kind].toLowerCase() : ""} orders.
          </Text>
        )}
        {list && list.length > 0 && (
          <Table
            captionSide="top"
            verticalSpacing="xs"
            withTableBorder
            highlightOnHover
            data-orders
            aria-busy={orders.isFetching || undefined}
          >
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              {status === "open" ? "Open orders, due first" : `${STATUS_WORDS[status]} orders, newest first`} (
              {count(list.length, "order")}
              {kind ? `, ${ORDER_KIND_WORDS[kind].toLowerCase()}` : ""})
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Order</Table.Th>
                <Table.Th scope="col">Premise</Table.Th>
                <Table.Th scope="col">Account</Table.Th>
                <Table.Th scope="col">Kind</Table.Th>
                <Table.Th scope="col">Due</Table.Th>
                <Table.Th scope="col">Opened</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((o, i) => (
                <Table.Tr
                  key={o.id}
                  className={classes.row}
                  aria-label={rowLabel(o)}
                  data-testid="field-order"
                  {...cursor.rowProps(o, i)}
                >
                  <Table.Td className={classes.mono}>{o.id}</Table.Td>
                  <Table.Td>{o.service_address ?? "—"}</Table.Td>
                  <Table.Td>
                    <Anchor
                      className={classes.mono}
                      size="sm"
                      c="indigo.9"
                      tabIndex={-1}
                      renderRoot={(props) => (
                        <Link {...props} to="/accounts/$accountId" params={{ accountId: String(o.account_id) }} />
                      )}
                    >
                      {o.account_number}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {ORDER_KIND_WORDS[o.kind]}
                    {o.priority === "same_day" && (
                      <Badge ml="xs" size="sm" color="red" variant="light">
                        Same day
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td className={classes.nowrap}>{o.due_on}</Table.Td>
                  <Table.Td className={classes.nowrap}>{o.opened_on}</Table.Td>
                  <Table.Td>
                    <Outcome o={o} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {canComplete && <CompleteOrderModal order={completing} opened={dialogOpen} onClose={close} />}
    </Container>
  );
}

/** The field worklist: open disconnect and reconnect orders to work and complete; completed and cancelled ones. */
export function OrdersPage() {
  return useCan("orders.read") ? <Orders /> : <NoAccess what="Field orders" />;
}
