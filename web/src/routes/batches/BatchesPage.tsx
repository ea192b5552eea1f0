import { Alert, Anchor, Badge, Button, Container, Group, Kbd, Loader, Stack, Table, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { money } from "../account/money.js";
import { BATCH_LIST_KEY, type BatchSummary, fetchDesk } from "./api.js";
import { NewBatchModal } from "./NewBatchModal.js";

const TENDER_WORDS: Record<string, string> = { check: "Checks", money_order: "Money orders" };
const STATUS_COLOR: Record<string, string> = { open: "blue", posted: "green", cancelled: "gray" };

/** What a batch is called on screen: its number and label. */
export const batchName = (b: Pick<BatchSummary, "id" | "label">) => `Batch ${b.id}${b.label ? `: ${b.label}` : ""}`;

function DeskTable({ batches }: { batches: BatchSummary[] }) {
  if (batches.length === 0) {
    return <Text c="dimmed">No open batches, and none posted today. Press n to open one.</Text>;
  }
  return (
    <Table striped withTableBorder verticalSpacing="xs">
      <Table.Caption>Open batches, and those posted or cancelled today, newest first</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Batch</Table.Th>
          <Table.Th scope="col">Tender</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col" ta="right">
            Control
          </Table.Th>
          <Table.Th scope="col" ta="right">
            Keyed
          </Table.Th>
          <Table.Th scope="col">By</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {batches.map((b) => (
          <Table.Tr key={b.id} data-testid="batch">
            <Table.Th scope="row" fw={400}>
              <Anchor
                renderRoot={(props) => <Link {...props} to="/batches/$batchId" params={{ batchId: String(b.id) }} />}
              >
                {batchName(b)}
              </Anchor>
            </Table.Th>
            <Table.Td>{TENDER_WORDS[b.tender_type] ?? b.tender_type}</Table.Td>
            <Table.Td>
              <Badge variant="light" color={STATUS_COLOR[b.status] ?? "gray"}>
                {b.status}
              </Badge>
            </Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
              {b.control_count} · {money(b.control_total_cents)}
            </Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: "nowrap" }}>
              {b.keyed_count} · {money(b.keyed_total_cents)}
            </Table.Td>
            <Table.Td>{b.posted_by ?? b.created_by}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Desk() {
  const desk = useQuery({ queryKey: BATCH_LIST_KEY, queryFn: ({ signal }) => fetchDesk(signal) });
  const [creating, createControls] = useDisclosure(false);
  useCommands([
    {
      id: "batch-new",
      label: "New payment batch",
      description: "Open a batch with the tape's control count and total",
      group: "This page",
      shortcut: "n",
      keywords: ["create", "add", "tape", "mail"],
      run: createControls.open,
    },
  ]);
  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <Group justify="space-between">
          <PageTitle>Payment batches</PageTitle>
          <Button onClick={createControls.open} rightSection={<Kbd size="xs">n</Kbd>}>
            New batch
          </Button>
        </Group>
        {desk.isPending && <Loader size="sm" aria-label="Loading batches" />}
        {desk.isError && (
          <Alert color="red" role="alert" title="Batches did not load">
            {desk.error.message}
          </Alert>
        )}
        {desk.data && <DeskTable batches={desk.data.batches} />}
      </Stack>
      <NewBatchModal opened={creating} onClose={createControls.close} />
    </Container>
  );
}

/** The keying desk: open batches and today's posted ones; a new batch from the tape's count and total. */
export function BatchesPage() {
  return useCan("batches.key") ? <Desk /> : <NoAccess what="Payment batches" />;
}
