import { Alert, Anchor, Group, Progress, Stack, Text } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { useCan } from "../../user.js";
import { BILLING_KEY, type BillRun, fetchRun, runKey } from "./api.js";
import { count } from "./words.js";

/** How often a running run is read again. */
const POLL_MS = 500;

/** What a run did, in one sentence. */
export const runOutcome = (r: BillRun) =>
  `Billed ${count(r.billed, "account")}, held ${count(r.held, "bill")} for review, skipped ${count(r.skipped, "account")}.`;

/** Accounts done of the cycle's. */
export const doneOf = (r: BillRun) => r.billed + r.held + r.skipped;

/**
 * A run's progress bar: the run is read every half second until it is completed, then it says what the run did and
 * links to the held bills. The run goes on in the server whether or not anyone watches.
 */
export function RunProgress({ runId }: { runId: number }) {
  const client = useQueryClient();
  const canWork = useCan("billing.exceptions");
  const run = useQuery({
    queryKey: runKey(runId),
    queryFn: ({ signal }) => fetchRun(runId, signal),
    refetchInterval: (q) => (q.state.data?.status === "completed" ? false : POLL_MS),
  });
  const data = run.data;
  const finished = data?.status === "completed";
  // Once it is done, the list of runs and the exception queue are read again.
  const told = useRef(false);
  useEffect(() => {
    if (finished && !told.current) {
      told.current = true;
      void client.invalidateQueries({ queryKey: BILLING_KEY });
    }
  }, [finished, client]);
  if (run.isError) {
    return (
      <Alert color="red" role="alert" title="Progress is not available">
        {run.error.message}
      </Alert>
    );
  }
  const total = data?.accounts_total ?? 0;
  const done = data ? doneOf(data) : 0;
  const percent = finished ? 100 : total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <Stack gap={6} data-testid="run-progress">
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {data
            ? `Cycle ${data.cycle}, bill date ${data.bill_date}: ${finished ? "completed" : "running"}`
            : "Starting the run"}
        </Text>
        <Text size="sm" data-testid="run-progress-count">
          {count(done, "account")} of {total.toLocaleString("en-US")}
          {data && !finished ? ` · billed ${data.billed}, held ${data.held}, skipped ${data.skipped}` : ""}
        </Text>
      </Group>
      <Progress value={percent} aria-label="Bill run progress" size="lg" animated={!finished} />
      {finished && data && (
        <Alert color="green" title="Completed" role="status" data-testid="run-outcome">
          {runOutcome(data)}{" "}
          {data.held > 0 && canWork && (
            <Anchor component={Link} to="/billing/exceptions" size="sm" c="dark" underline="always">
              Work the held bills
            </Anchor>
          )}
        </Alert>
      )}
    </Stack>
  );
}
