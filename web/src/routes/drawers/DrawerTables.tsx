import { Anchor, Badge, Table, Text } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import type { Drawer } from "../../api/drawers.js";
import { receiptUrl } from "../../api/payments.js";
import { money } from "../account/money.js";
import { TENDER_NAMES } from "./words.js";

export const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;
const caption = { textAlign: "left", fontWeight: 600, marginBottom: 4 } as const;

/** What the drawer's posted payments took by tender, and what should be in the drawer (cash with the float). */
export function TotalsTable({ drawer }: { drawer: Drawer }) {
  return (
    <Table captionSide="top" striped verticalSpacing={4} data-testid="drawer-totals">
      <Table.Caption style={caption} c="dark">
        Totals by tender
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Tender</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Items
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Taken
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            In the drawer
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {drawer.totals.map((t) => (
          <Table.Tr key={t.tender_type}>
            <Table.Th scope="row" fw={500}>
              {TENDER_NAMES[t.tender_type] ?? t.tender_type}
            </Table.Th>
            <Table.Td style={NUM}>{t.taken_count}</Table.Td>
            <Table.Td style={NUM}>{money(t.taken_cents)}</Table.Td>
            <Table.Td style={NUM}>{t.expected_cents === null ? "to the bank" : money(t.expected_cents)}</Table.Td>
          </Table.Tr>
        ))}
        <Table.Tr>
          <Table.Th scope="row">Expected in the drawer</Table.Th>
          <Table.Td />
          <Table.Td />
          <Table.Td style={NUM} fw={700}>
            {money(drawer.expected_cents)}
          </Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

/** The payments taken into the drawer, newest first, each with its receipt. */
export function DrawerPayments({ drawer }: { drawer: Drawer }) {
  if (drawer.payments.length === 0) return <Text size="sm">No payments taken into this drawer yet.</Text>;
  const newest = [...drawer.payments].reverse();
  return (
    <Table captionSide="top" striped verticalSpacing={4} data-testid="drawer-payments">
      <Table.Caption style={caption} c="dark">
        Payments in this drawer, newest first
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Payment</Table.Th>
          <Table.Th scope="col">Account</Table.Th>
          <Table.Th scope="col">Tender</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Amount
          </Table.Th>
          <Table.Th scope="col">Status</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {newest.map((p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Anchor href={receiptUrl(p.id)} target="_blank" rel="noopener" aria-label={`Receipt of payment ${p.id}`}>
                {p.id}
              </Anchor>
            </Table.Td>
            <Table.Td>
              {p.accounts.map((a, i) => (
                <span key={a.account_id}>
                  {i > 0 && ", "}
                  <Anchor
                    ff="monospace"
                    renderRoot={(props) => (
                      <Link {...props} to="/accounts/$accountId" params={{ accountId: String(a.account_id) }} />
                    )}
                  >
                    {a.account_number}
                  </Anchor>
                </span>
              ))}
            </Table.Td>
            <Table.Td>{p.tenders.map((t) => t.description).join(", ")}</Table.Td>
            <Table.Td style={NUM}>{money(p.total_cents)}</Table.Td>
            <Table.Td>
              <Badge color={p.status === "reversed" ? "red" : "green"} variant="light">
                {p.status === "reversed" ? "Reversed" : "Posted"}
              </Badge>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
