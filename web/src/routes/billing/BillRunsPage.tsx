import { Alert, Anchor, Badge, Container, Divider, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { type BillRun, fetchRuns, RUNS_KEY } from "./api.js";
import { RunProgress } from "./RunProgress.js";
import { focusStartRun, StartRunForm } from "./StartRunForm.js";
import { stamp } from "./words.js";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;
const n = (v: number) => v.toLocaleString("en-US");

/** Recent runs, newest bill date first, with what each billed, held and skipped. */
function RunsTable({ runs }: { runs: BillRun[] }) {
  if (runs.length === 0) return <Text size="sm">No bill run yet.</Text>;
  return (
    <Table captionSide="top" striped verticalSpacing={4} data-testid="bill-runs">
      <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
        Bill runs, newest bill date first
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Cycle</Table.Th>
          <Table.Th scope="col">Bill date</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col" style={NUM}>
            Accounts
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Billed
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Held
          </Table.Th>
          <Table.Th scope="col" style={NUM}>
            Skipped
          </Table.Th>
          <Table.Th scope="col">Started</Table.Th>
          <Table.Th scope="col">Finished</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((r) => (
          <Table.Tr key={r.id} data-testid="bill-run">
            <Table.Th scope="row">{r.cycle}</Table.Th>
            <Table.Td>{r.bill_date}</Table.Td>
            <Table.Td>
              <Badge color={r.status === "completed" ? "green" : "blue"} variant="light">
                {r.status === "completed" ? "Completed" : "Running"}
              </Badge>
            </Table.Td>
            <Table.Td style={NUM}>{n(r.accounts_total)}</Table.Td>
            <Table.Td style={NUM}>{n(r.billed)}</Table.Td>
            <Table.Td style={NUM}>{n(r.held)}</Table.Td>
            <Table.Td style={NUM}>{n(r.skipped)}</Table.Td>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{stamp(r.started_at)}</Table.Td>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{r.finished_at ? stamp(r.finished_at) : "—"}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Runs() {
  const canRun = useCan("billing.run");
  const canWork = useCan("billing.exceptions");
  const runs = useQuery({
    queryKey: RUNS_KEY,
    queryFn: ({ signal }) => fetchRuns(signal),
    // A run still going (this person's, another's, or one a stopped server left) shows its counters moving.
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === "running") ? 1000 : false),
  });
  const [started, setStarted] = useState<number | null>(null);
  // The bar follows the run started here, else the first run still going.
  const watching = started ?? runs.data?.items.find((r) => r.status === "running")?.id ?? null;
  useCommands(
    canRun
      ? [
          {
            id: "bill-run-start",
            label: "Start a bill run",
            description: "Bill a cycle for a bill date, with a progress bar",
            group: "This page",
            shortcut: "n",
            keywords: ["bill run", "cycle", "billing", "new"],
            run: focusStartRun,
          },
        ]
      : [],
  );
  return (
    <Container size="xl" px={0}>
      <Stack gap="lg">
        <PageTitle>Bill runs</PageTitle>
        <Text size="sm" c="gray.7">
          A run bills every account of a cycle for a bill date, from the meter reads up to that date. Bills that need a
          second look are held for review instead of issued
          {canWork ? (
            <>
              {": they wait in "}
              <Anchor component={Link} to="/billing/exceptions" size="sm" c="dark" underline="always">
                Bill exceptions
              </Anchor>
            </>
          ) : null}
          .
        </Text>
        {canRun && <StartRunForm onStarted={(r) => setStarted(r.id)} />}
        {watching !== null && (
          <Stack gap="xs" component="section" aria-labelledby="run-progress-title">
            <Title order={2} size="h4" id="run-progress-title">
              Progress
            </Title>
            <RunProgress key={watching} runId={watching} />
          </Stack>
        )}
        <Divider />
        <Stack gap="xs" component="section" aria-labelledby="bill-runs-title">
          <Group justify="space-between">
            <Title order={2} size="h4" id="bill-runs-title">
              Recent runs
            </Title>
          </Group>
          {runs.isPending && <Loader size="sm" aria-label="Loading the bill runs" />}
          {runs.isError && (
            <Alert color="red" role="alert">
              {runs.error.message}
            </Alert>
          )}
          {runs.data && <RunsTable runs={runs.data.items} />}
        </Stack>
      </Stack>
    </Container>
  );
}

/** Bill runs: start one for a cycle and date and watch its progress; the recent runs and what they did. */
export function BillRunsPage() {
  return useCan("bills.read") ? <Runs /> : <NoAccess what="Bill runs" />;
}
