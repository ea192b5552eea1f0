import { Anchor, Table, Text } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import { type KeyboardEvent, type RefObject, useEffect, useRef } from "react";
import { money } from "../account/money.js";
import type { BatchRow, BatchTender } from "./api.js";
import { CHECK_LABEL } from "./KeyingRow.js";
import type { PendingRow } from "./useKeying.js";

/**
 * The rows keyed, newest first (the one just keyed is right under the keying row). One row is a tab stop; the arrow
 * keys move between rows, Enter corrects the row, Delete removes it, Esc goes back to keying.
 */
export function RowsTable({
  rows,
  pending,
  tender,
  editable,
  current,
  onCurrent,
  onEdit,
  onDelete,
  onLeave,
  tableRef,
}: {
  rows: BatchRow[];
  pending: PendingRow[];
  tender: BatchTender;
  editable: boolean;
  /** The position of the row that is the tab stop (null: the newest). */
  current: number | null;
  onCurrent: (position: number | null) => void;
  onEdit: (row: BatchRow) => void;
  onDelete: (row: BatchRow) => void;
  onLeave: () => void;
  tableRef: RefObject<HTMLTableSectionElement | null>;
}) {
  const newestFirst = [...rows].reverse();
  const at = Math.max(
    0,
    newestFirst.findIndex((r) => r.position === current),
  );
  // Focus follows the current row once it is drawn: at once after a move, after the rows change after a removal.
  const focusRequested = useRef(false);
  const focusAfter = useRef<BatchRow[] | null>(null);
  useEffect(() => {
    if (focusAfter.current && focusAfter.current !== rows) {
      focusAfter.current = null;
      focusRequested.current = true;
    }
    if (!focusRequested.current) return;
    focusRequested.current = false;
    tableRef.current?.querySelector<HTMLElement>("tr[tabindex='0']")?.focus();
  });
  const moveTo = (index: number) => {
    const row = newestFirst[Math.min(Math.max(index, 0), newestFirst.length - 1)];
    if (!row) return onLeave();
    focusRequested.current = true;
    onCurrent(row.position);
  };
  const onKey = (event: KeyboardEvent<HTMLTableRowElement>, row: BatchRow, index: number) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    switch (event.key) {
      case "ArrowDown":
        moveTo(index + 1);
        break;
      case "ArrowUp":
        if (index === 0) onLeave();
        else moveTo(index - 1);
        break;
      case "Home":
        moveTo(0);
        break;
      case "End":
        moveTo(newestFirst.length - 1);
        break;
      case "Escape":
        onLeave();
        break;
      case "Enter":
        onEdit(row);
        break;
      case "Delete":
        // The row below it (older) takes its place; the newest one when it was the oldest.
        focusAfter.current = rows;
        onCurrent(row.position > 1 ? row.position - 1 : null);
        onDelete(row);
        break;
      default:
        return;
    }
    event.preventDefault();
  };
  const checkLabel = CHECK_LABEL[tender];
  return (
    <Table striped withTableBorder highlightOnHover verticalSpacing={4} aria-label="Rows keyed">
      <Table.Caption>
        {editable
          ? "Newest first. Arrow keys move between rows; Enter corrects a row, Delete removes it, Esc goes back to keying."
          : "Newest first; each payment links to its account."}
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col" ta="right">
            #
          </Table.Th>
          <Table.Th scope="col">Account number</Table.Th>
          <Table.Th scope="col">Customer</Table.Th>
          <Table.Th scope="col" ta="right">
            Amount
          </Table.Th>
          <Table.Th scope="col">{checkLabel}</Table.Th>
          <Table.Th scope="col">Payment</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody ref={tableRef}>
        {[...pending].reverse().map((p) => (
          <Table.Tr key={`pending-${p.id}`} data-testid="pending-row">
            <Table.Td ta="right">…</Table.Td>
            <Table.Td ff="monospace">{p.account_number}</Table.Td>
            <Table.Td>{p.customer_name ?? ""}</Table.Td>
            <Table.Td ta="right">{money(p.amount_cents)}</Table.Td>
            <Table.Td>{p.check_number ?? ""}</Table.Td>
            <Table.Td>
              <Text span size="sm" c="dimmed">
                Sending…
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
        {newestFirst.map((r, i) => (
          <Table.Tr
            key={r.position}
            data-testid="batch-row"
            tabIndex={editable ? (i === at ? 0 : -1) : undefined}
            aria-label={`Row ${r.position}: ${r.account_number}, ${r.customer_name}, ${money(r.amount_cents)}`}
            onKeyDown={editable ? (e) => onKey(e, r, i) : undefined}
            onFocus={editable ? () => r.position !== current && onCurrent(r.position) : undefined}
          >
            <Table.Td ta="right">{r.position}</Table.Td>
            <Table.Td ff="monospace">{r.account_number}</Table.Td>
            <Table.Td>{r.customer_name}</Table.Td>
            <Table.Td ta="right">{money(r.amount_cents)}</Table.Td>
            <Table.Td>{r.check_number ?? ""}</Table.Td>
            <Table.Td>
              {r.payment_id ? (
                <Anchor
                  aria-label={`Payment ${r.payment_id} on ${r.account_number}`}
                  renderRoot={(props) => (
                    <Link {...props} to="/accounts/$accountId" params={{ accountId: String(r.account_id) }} />
                  )}
                >
                  {r.payment_id}
                </Anchor>
              ) : (
                ""
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
