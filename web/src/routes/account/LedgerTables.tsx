import { Badge, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";
import type { Balances, LedgerPosting, ReceivableCredit, ReceivableItem } from "../../api/ledger.js";
import { words } from "./format.js";
import { ledgerEntries, money } from "./money.js";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;
const NOWRAP = { whiteSpace: "nowrap" } as const;

/** A table caption people can see (and screen readers announce), above the table. */
function Caption({ children }: { children: ReactNode }) {
  return (
    <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
      {children}
    </Table.Caption>
  );
}

function Dimmed({ children }: { children: ReactNode }) {
  return (
    <Text span size="sm" c="dimmed">
      {children}
    </Text>
  );
}

const BUCKETS: [keyof Balances["aging"], string][] = [
  ["current_cents", "Current"],
  ["days_1_30_cents", "1–30 days"],
  ["days_31_60_cents", "31–60 days"],
  ["days_61_90_cents", "61–90 days"],
  ["days_91_plus_cents", "91+ days"],
];

/** The open items by days past due (current also holds what is not yet due or not yet billed). */
export function AgingTable({ balances }: { balances: Balances }) {
  return (
    <Table captionSide="top" withTableBorder withColumnBorders verticalSpacing={4} layout="fixed">
      <Caption>Aging of open items by days past due, as of {balances.as_of}</Caption>
      <Table.Thead>
        <Table.Tr>
          {BUCKETS.map(([key, label]) => (
            <Table.Th key={key} scope="col" style={NUM}>
              {label}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        <Table.Tr data-testid="aging">
          {BUCKETS.map(([key]) => {
            const cents = balances.aging[key];
            const late = key !== "current_cents" && cents > 0;
            return (
              <Table.Td key={key} style={NUM} fw={late ? 700 : undefined} c={late ? "red.9" : undefined}>
                {money(cents)}
              </Table.Td>
            );
          })}
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

/** Unbilled items last; billed ones by due date, oldest first (the order credits are matched in). */
const byDueDate = (a: ReceivableItem, b: ReceivableItem) =>
  (a.due_date ?? "9999-12-31").localeCompare(b.due_date ?? "9999-12-31") || a.id - b.id;

/** The open receivable items: what each is for, its period, when it is due, and what is still open of it. */
export function OpenItemsTable({ items, asOf }: { items: ReceivableItem[]; asOf: string }) {
  if (items.length === 0) return <Text size="sm">No open items: nothing is owed.</Text>;
  return (
    <Table captionSide="top" striped verticalSpacing={4}>
      <Caption>Open items, oldest due first</Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Category</Table.Th>
          <Table.Th scope="col">Service period</Table.Th>
          <Table.Th scope="col">Due date</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Original
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Open
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...items].sort(byDueDate).map((item) => (
          <Table.Tr key={item.id} data-testid="open-item">
            <Table.Th scope="row" fw={600}>
              {words(item.category)}
              {item.description && item.description !== item.category && (
                <Text size="xs" c="dimmed" fw={400}>
                  {item.description}
                </Text>
              )}
            </Table.Th>
            <Table.Td style={NOWRAP}>
              {item.service_period ? `${item.service_period.from} to ${item.service_period.to}` : <Dimmed>none</Dimmed>}
            </Table.Td>
            <Table.Td style={NOWRAP}>
              {item.due_date ?? <Dimmed>not billed yet</Dimmed>}
              {item.due_date && item.due_date < asOf && (
                <Badge ml="xs" color="red.9" variant="filled" size="sm">
                  Past due
                </Badge>
              )}
            </Table.Td>
            <Table.Td style={NUM}>{money(item.original_cents)}</Table.Td>
            <Table.Td style={NUM} fw={600}>
              {money(item.open_cents)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Credits no item has consumed yet: the next charges will use them. */
export function UnappliedCreditsTable({ credits }: { credits: ReceivableCredit[] }) {
  if (credits.length === 0) return null;
  return (
    <Table captionSide="top" striped verticalSpacing={4}>
      <Caption>Unapplied credits (the next charges use them)</Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Kind</Table.Th>
          <Table.Th scope="col">Date</Table.Th>
          <Table.Th scope="col">Reference</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Original
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Unapplied
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {credits.map((c) => (
          <Table.Tr key={c.id} data-testid="unapplied-credit">
            <Table.Th scope="row" fw={600}>
              {words(c.kind)}
            </Table.Th>
            <Table.Td style={NOWRAP}>{c.accounting_date}</Table.Td>
            <Table.Td>{c.reference}</Table.Td>
            <Table.Td style={NUM}>{money(c.original_cents)}</Table.Td>
            <Table.Td style={NUM} fw={600}>
              {money(c.unapplied_cents)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The journal entries that moved the account's balance, newest first, each with the balance after it. */
export function LedgerTable({ postings, complete }: { postings: LedgerPosting[]; complete: boolean }) {
  const entries = ledgerEntries(postings);
  if (entries.length === 0) return <Text size="sm">Nothing posted to this account yet.</Text>;
  return (
    <Table captionSide="top" striped verticalSpacing={4}>
      <Caption>
        Ledger, newest first{complete ? "" : ` (the latest ${entries.length} entries)`}: each entry's change to the
        balance and the balance after it
      </Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Date</Table.Th>
          <Table.Th scope="col">Entry</Table.Th>
          <Table.Th scope="col">Reference</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Change
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Balance after
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((e) => (
          <Table.Tr key={e.entry_id} data-testid="ledger-entry">
            <Table.Td style={NOWRAP}>{e.accounting_date}</Table.Td>
            <Table.Th scope="row" fw={400}>
              {e.what}
            </Table.Th>
            <Table.Td>
              <Text span size="xs" c="dimmed" style={{ overflowWrap: "anywhere" }}>
                {e.reference}
              </Text>
            </Table.Td>
            <Table.Td style={NUM}>{e.change === 0n ? <Dimmed>no change</Dimmed> : money(e.change)}</Table.Td>
            <Table.Td style={NUM} fw={600}>
              {money(e.balance_after)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
