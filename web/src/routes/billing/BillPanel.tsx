import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { money } from "../account/money.js";
import { dollars, fractionPercent, quantity } from "../tariffs/format.js";
import {
  type BillAgreement,
  type BillLine,
  type BillRead,
  billKey,
  billPdfUrl,
  fetchBill,
  type HeldBill,
} from "./api.js";
import classes from "./Billing.module.css";
import { kwhText, plainNote, reasonLabel } from "./words.js";

export type Action = "release" | "cancel" | "rebill";

/** A line's quantity and price as a person reads them: a percentage line applies a percent to dollars. */
function lineCells(l: BillLine): { quantity: string; unit: string; price: string } {
  const percentLine = l.kind === "discount" || l.kind === "tax" || l.unit === "$" || l.unit === "USD";
  if (percentLine) return { quantity: dollars(l.quantity), unit: "", price: fractionPercent(l.price) };
  return { quantity: quantity(l.quantity), unit: l.unit, price: dollars(l.price) };
}

const kindText = (kind: string) => (kind === "customer" ? "customer read" : kind);

/** A read as "2026-02-27: 13,150 (actual)". */
export const readText = (r: BillRead | null | undefined) =>
  r ? `${r.read_on}: ${quantity(r.reading)} (${kindText(r.kind)})` : "none (first bill)";

/** What the bill billed of one agreement: meter, reads, usage and the priced lines. */
function AgreementPart({ a, billId }: { a: BillAgreement; billId: number }) {
  const id = `bill-${billId}-sa-${a.sa_id}`;
  return (
    <Stack gap={4} component="section" aria-labelledby={id}>
      <Title order={3} size="h6" id={id}>
        Agreement {a.sa_id}:{" "}
        {a.tariff_name && a.tariff_name !== a.tariff_code ? `${a.tariff_name} (${a.tariff_code})` : a.tariff_code}
      </Title>
      <Text size="sm">
        Meter <span className={classes.mono}>{a.meter_number ?? "—"}</span> · {a.period.from} to {a.period.to}
        {a.days ? ` (${a.days} days)` : ""} · {kwhText(a.kwh)} kWh{a.estimated ? " · estimated" : ""}
      </Text>
      <Text size="sm" data-testid="bill-reads">
        Start read {readText(a.reads?.start)} · End read {readText(a.reads?.end)}
      </Text>
      {a.lines.length === 0 ? (
        <Text size="sm" c="gray.7">
          No lines: the agreement could not be priced.
        </Text>
      ) : (
        <Table verticalSpacing={2} striped withTableBorder fz="sm" aria-labelledby={id}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Line</Table.Th>
              <Table.Th scope="col" className={classes.num}>
                Quantity
              </Table.Th>
              <Table.Th scope="col">Unit</Table.Th>
              <Table.Th scope="col" className={classes.num}>
                Price
              </Table.Th>
              <Table.Th scope="col" className={classes.num}>
                Amount
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {a.lines.map((l) => {
              const cells = lineCells(l);
              return (
                <Table.Tr key={`${l.rule}-${l.description}`}>
                  <Table.Td>{l.description}</Table.Td>
                  <Table.Td className={classes.num}>{cells.quantity}</Table.Td>
                  <Table.Td>{cells.unit}</Table.Td>
                  <Table.Td className={classes.num}>{cells.price}</Table.Td>
                  <Table.Td className={classes.num}>{money(l.amount_cents)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr>
              <Table.Th scope="row" colSpan={4}>
                Agreement total
              </Table.Th>
              <Table.Td className={classes.num} fw={600}>
                {money(a.total_cents)}
              </Table.Td>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      )}
    </Stack>
  );
}

/**
 * A held bill opened from the queue: why it is held, its lines per agreement with the reads they were billed from,
 * its PDF, and what can be done with it.
 */
export function BillPanel({ held, onAction }: { held: HeldBill; onAction: (action: Action) => void }) {
  const bill = useQuery({ queryKey: billKey(held.bill_id), queryFn: ({ signal }) => fetchBill(held.bill_id, signal) });
  const titleId = `bill-panel-${held.bill_id}`;
  const cannotRelease = held.exception === "cannot_price";
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={titleId} data-testid="bill-panel">
      <Stack gap="sm">
        <Group justify="space-between" align="baseline">
          <Title order={2} size="h4" id={titleId} tabIndex={-1} data-bill-panel-title>
            Bill {held.bill_id}: account {held.account_number}, {held.name}
          </Title>
          <Group gap="md">
            <Anchor href={billPdfUrl(held.bill_id)} target="_blank" rel="noopener" size="sm">
              Open PDF<VisuallyHidden> of bill {held.bill_id} (opens in a new tab)</VisuallyHidden>
            </Anchor>
            <Anchor
              size="sm"
              renderRoot={(props) => (
                <Link {...props} to="/accounts/$accountId" params={{ accountId: String(held.account_id) }} />
              )}
            >
              Open the account
            </Anchor>
          </Group>
        </Group>
        <Group gap="xs">
          <Badge color="orange" variant="light">
            Held: {reasonLabel(held.exception)}
          </Badge>
          {held.estimated && (
            <Badge color="blue" variant="outline">
              Estimated
            </Badge>
          )}
        </Group>
        {held.exception_note && <Text size="sm">{plainNote(held.exception_note)}</Text>}
        <Text size="sm">
          Bill date {held.bill_date} · service {held.period.from} to {held.period.to} · {kwhText(held.kwh)} kWh ·
          charges <b>{money(held.total_cents)}</b>
        </Text>
        {bill.isPending && <Loader size="sm" aria-label="Loading the bill" />}
        {bill.isError && (
          <Alert color="red" role="alert">
            The bill did not load: {bill.error.message}
          </Alert>
        )}
        {bill.data?.detail.agreements.map((a) => (
          <AgreementPart key={a.sa_id} a={a} billId={held.bill_id} />
        ))}
        <Group gap="sm" mt="xs">
          <Button
            onClick={() => onAction("release")}
            disabled={cannotRelease}
            title={
              cannotRelease ? "A bill that could not be priced cannot be issued: correct it and rebill" : undefined
            }
          >
            Release
          </Button>
          <Button variant="light" onClick={() => onAction("rebill")}>
            Correct and rebill
          </Button>
          <Button variant="default" c="red.9" onClick={() => onAction("cancel")}>
            Cancel the bill
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
