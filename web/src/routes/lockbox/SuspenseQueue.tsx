import { Alert, Grid, Group, Kbd, Loader, Stack, Table, Text, Title, UnstyledButton } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { money } from "../account/money.js";
import { fetchSuspenseQueue, type SuspenseItem } from "./api.js";
import { ItemPanel } from "./ItemPanel.js";
import { SUSPENSE_KEY } from "./keys.js";
import classes from "./Lockbox.module.css";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

/** The row button's text, and its name (with the amount, which a screen reader hears as the selection moves). */
const itemText = (i: SuspenseItem) => `Line ${i.line_number} of ${i.file_name}`;
const itemName = (i: SuspenseItem) => `${itemText(i)}, ${money(i.amount_cents)}`;

/** Focuses the queue's selected row (the one row button in the tab order), or its heading when it is empty. */
export function focusQueue() {
  const row = document.querySelector<HTMLElement>("[data-suspense-queue] button[tabindex='0']");
  (row ?? document.getElementById("suspense-title"))?.focus();
}

/**
 * The payment suspense queue, oldest first. One row is selected; its button is the queue's one stop in the tab order
 * and the arrow keys move the selection (Home and End to the ends). The selected item's panel lists the accounts it
 * may belong to, to apply it with one key, or returns it to the sender.
 */
export function SuspenseQueue() {
  const queue = useQuery({ queryKey: SUSPENSE_KEY, queryFn: ({ signal }) => fetchSuspenseQueue(signal) });
  const items = queue.data?.items ?? [];
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rows = useRef(new Map<number, HTMLButtonElement>());
  const lastIndex = useRef(0);
  const index = items.findIndex((i) => i.id === selectedId);
  // The selection stays on its item while it is there; once worked, the item now in its place is selected.
  useEffect(() => {
    if (items.length === 0) return;
    if (index >= 0) {
      lastIndex.current = index;
      return;
    }
    setSelectedId(items[Math.min(lastIndex.current, items.length - 1)]!.id);
  }, [items, index]);
  const selected = index >= 0 ? items[index]! : null;

  const move = (to: number) => {
    const next = items[Math.max(0, Math.min(items.length - 1, to))];
    if (!next) return;
    setSelectedId(next.id);
    rows.current.get(next.id)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 };
    if (!(event.key in keys) || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    move(keys[event.key]!);
  };
  // After an item is worked, focus goes back to the queue once it has reloaded without that item: to the item now
  // selected in its place, or to the line saying what was done when the queue is empty.
  const workedId = useRef<number | null>(null);
  const noticeLine = useRef<HTMLParagraphElement>(null);
  const worked = (itemId: number, message: string) => {
    workedId.current = itemId;
    setNotice(message);
  };
  useEffect(() => {
    if (workedId.current === null || items.some((i) => i.id === workedId.current)) return;
    if (items.length > 0 && !selected) return;
    workedId.current = null;
    if (selected) rows.current.get(selected.id)?.focus();
    else noticeLine.current?.focus();
  }, [items, selected]);

  return (
    <Stack gap="xs" component="section" aria-labelledby="suspense-title">
      <Group justify="space-between" align="baseline">
        <Title order={2} size="h4" id="suspense-title" tabIndex={-1}>
          Payment suspense
        </Title>
        {queue.data && (
          <Text size="sm" data-testid="suspense-totals">
            {queue.data.total_count === 1 ? "1 item" : `${queue.data.total_count.toLocaleString("en-US")} items`} for{" "}
            {money(queue.data.total_cents)}
          </Text>
        )}
      </Group>
      <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} size="sm" data-testid="suspense-notice">
        {notice ?? ""}
      </Text>
      {queue.isPending && <Loader size="sm" aria-label="Loading the suspense queue" />}
      {queue.isError && (
        <Alert color="red" role="alert">
          {queue.error.message}
        </Alert>
      )}
      {queue.data && items.length === 0 && <Text size="sm">Nothing is in suspense.</Text>}
      {items.length > 0 && (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, lg: 7 }}>
            <Table
              captionSide="top"
              verticalSpacing={4}
              highlightOnHover
              onKeyDown={onKeyDown}
              data-suspense-queue
              aria-describedby="suspense-keys"
            >
              <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
                Items in suspense, oldest first
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Item</Table.Th>
                  <Table.Th scope="col" style={NUM}>
                    Amount
                  </Table.Th>
                  <Table.Th scope="col">Account number read</Table.Th>
                  <Table.Th scope="col">Remitter</Table.Th>
                  <Table.Th scope="col">Check</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                  <Table.Th scope="col" style={NUM}>
                    Age
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((i) => {
                  const on = i.id === selected?.id;
                  return (
                    <Table.Tr key={i.id} className={on ? classes.selected : undefined}>
                      <Table.Td>
                        <UnstyledButton
                          ref={(el) => {
                            if (el) rows.current.set(i.id, el);
                            else rows.current.delete(i.id);
                          }}
                          className={classes.rowButton}
                          tabIndex={on ? 0 : -1}
                          aria-pressed={on}
                          aria-label={itemName(i)}
                          onClick={() => setSelectedId(i.id)}
                          onFocus={() => setSelectedId(i.id)}
                        >
                          {itemText(i)}
                        </UnstyledButton>
                      </Table.Td>
                      <Table.Td style={NUM}>{money(i.amount_cents)}</Table.Td>
                      <Table.Td className={classes.mono}>{i.account_number ?? "none"}</Table.Td>
                      <Table.Td>{i.remitter ?? "—"}</Table.Td>
                      <Table.Td>{i.check_number ?? "—"}</Table.Td>
                      <Table.Td>{i.reason_label ?? "—"}</Table.Td>
                      <Table.Td style={NUM}>{i.age_days === 1 ? "1 day" : `${i.age_days} days`}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            <Text size="xs" c="gray.7" id="suspense-keys" mt={4}>
              <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> select an item; <Kbd size="xs">1</Kbd>–
              <Kbd size="xs">9</Kbd> apply it to that suggestion; <Kbd size="xs">a</Kbd> apply to an account number;{" "}
              <Kbd size="xs">r</Kbd> return it to the sender.
            </Text>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 5 }}>
            {selected && (
              <ItemPanel key={selected.id} item={selected} onWorked={(message) => worked(selected.id, message)} />
            )}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}
