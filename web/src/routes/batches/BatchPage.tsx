import { Alert, Anchor, Badge, Button, Container, Group, Kbd, Loader, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { useMoneyAttempt } from "../account/attempt.js";
import { money } from "../account/money.js";
import { offWords } from "./amount.js";
import {
  BATCH_LIST_KEY,
  type Batch,
  type BatchRow,
  batchKey,
  cancelBatch,
  deleteRow,
  fetchBatch,
  postBatch,
} from "./api.js";
import { batchName } from "./BatchesPage.js";
import { EditRowModal } from "./EditRowModal.js";
import { KeyingRow } from "./KeyingRow.js";
import { RowsTable } from "./RowsTable.js";
import { type PendingRow, useKeying } from "./useKeying.js";

const TENDER_WORDS: Record<string, string> = { check: "Checks", money_order: "Money orders" };

/** The figures as keyed so far, with the rows still on their way counted in. */
function tally(batch: Batch, pending: PendingRow[]) {
  const keyedCount = batch.keyed_count + pending.length;
  const keyedTotal = BigInt(batch.keyed_total_cents) + pending.reduce((s, p) => s + p.amount_cents, 0n);
  const countDifference = batch.control_count - keyedCount;
  const totalDifference = BigInt(batch.control_total_cents) - keyedTotal;
  return { keyedCount, keyedTotal, countDifference, totalDifference };
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="gray.7" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={600} data-testid={label.toLowerCase().replace(/ /g, "-")}>
        {value}
      </Text>
    </div>
  );
}

/** A problem's words for the clerk: the server's field messages when it names the batch's figures. */
function refusal(err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error).message;
  if (err.problem.rule === "batches.out_of_balance") {
    return `The batch is out of balance: ${(err.problem.errors ?? []).map((e) => e.message).join("; ")}.`;
  }
  return err.message;
}

function Keying({ batch }: { batch: Batch }) {
  const client = useQueryClient();
  const keying = useKeying(batch.id);
  const open = batch.status === "open";
  const t = tally(batch, keying.pending);
  const balanced = t.countDifference === 0 && t.totalDifference === 0n && keying.pending.length === 0;
  const off = offWords(t.countDifference, t.totalDifference);
  const [current, setCurrent] = useState<number | null>(null);
  const [editing, setEditing] = useState<BatchRow | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const attempt = useMoneyAttempt<{ version: number }>();

  const refresh = (view: Batch) => {
    client.setQueryData(batchKey(batch.id), view);
    void client.invalidateQueries({ queryKey: BATCH_LIST_KEY });
  };
  const post = useMutation({
    mutationFn: ({ key, body }: { key: string; body: { version: number } }) => postBatch(batch.id, body.version, key),
    onSuccess: (view) => {
      attempt.settle();
      setRefused(null);
      setSaid(null);
      refresh(view);
      void client.invalidateQueries({ queryKey: ["account"] });
    },
    onError: (err) => {
      attempt.settle(err);
      setRefused(refusal(err));
      if (err instanceof ApiError && err.status === 409)
        void client.invalidateQueries({ queryKey: batchKey(batch.id) });
    },
  });
  const remove = useMutation({
    mutationFn: (row: BatchRow) => deleteRow(batch.id, row.position, batch.version),
    onSuccess: (view, row) => {
      refresh(view);
      setSaid(`Row ${row.position} removed: ${row.account_number}, ${money(row.amount_cents)}.`);
      if (view.rows.length === 0) keying.focus("account");
    },
    onError: (err) => {
      setSaid(`Row not removed: ${(err as Error).message}`);
      void client.invalidateQueries({ queryKey: batchKey(batch.id) });
    },
  });
  const cancel = useMutation({
    mutationFn: () => cancelBatch(batch.id, batch.version),
    onSuccess: (view) => {
      setCancelling(false);
      refresh(view);
    },
  });

  const tryPost = () => {
    if (!open || post.isPending) return;
    if (!balanced) {
      setRefused(
        keying.pending.length > 0
          ? "Rows are still being saved; try again in a moment."
          : `The batch is out of balance: ${off.join("; ")}.`,
      );
      return;
    }
    post.mutate(attempt.next({ version: batch.version }));
  };
  // Ctrl+Enter posts from anywhere on the page (the keying fields included).
  const latestPost = useRef(tryPost);
  latestPost.current = tryPost;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
      // Ctrl+Enter in a dialog (correcting a row, the palette) belongs to the dialog.
      if (event.target instanceof Element && event.target.closest("[role=dialog]")) return;
      event.preventDefault();
      latestPost.current();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  // Once posted (or cancelled) here, the keying row is gone: focus goes to what happened.
  const wasOpen = useRef(open);
  useEffect(() => {
    if (wasOpen.current && !open) doneRef.current?.focus();
    wasOpen.current = open;
  }, [open]);
  // An open batch is for keying: the cursor starts in Account number (the page's heading had it while loading).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the first drawing places the cursor
  useEffect(() => {
    const at = document.activeElement;
    if (open && (at === document.body || at?.matches("h1, #main"))) keying.focus("account");
  }, []);
  // A figure changed: an earlier refusal no longer says how things are.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the figures are what matter
  useEffect(() => {
    setRefused(null);
  }, [t.keyedCount, t.keyedTotal]);

  useCommands(
    open
      ? [
          {
            id: "batch-post",
            label: "Post the batch",
            description: "All rows as mail payments, when the count and total match the control (Ctrl+Enter)",
            group: "This page",
            keywords: ["post", "balance", "tape"],
            run: tryPost,
          },
          {
            id: "batch-key",
            label: "Key a payment",
            description: "Back to the account number field",
            group: "This page",
            keywords: ["account", "amount", "row"],
            run: () => keying.focus("account"),
          },
          {
            id: "batch-cancel",
            label: "Cancel the batch",
            description: "Nothing posts",
            group: "This page",
            run: () => setCancelling(true),
          },
        ]
      : [],
  );

  const status = `Keyed ${t.keyedCount} of ${batch.control_count}, ${money(t.keyedTotal)} of ${money(
    batch.control_total_cents,
  )}, difference ${money(t.totalDifference)}`;

  return (
    <Stack gap="md">
      <Group gap="xl" align="flex-end" wrap="wrap">
        <Figure label="Control count" value={String(batch.control_count)} />
        <Figure label="Control total" value={money(batch.control_total_cents)} />
        <Figure label="Tender" value={TENDER_WORDS[batch.tender_type] ?? batch.tender_type} />
        <Figure label="Business date" value={batch.business_date} />
      </Group>
      <Group justify="space-between" align="center" wrap="wrap">
        <Text role="status" aria-live="polite" fw={700} size="lg" data-testid="batch-status">
          {status}
          {open && (balanced ? " — balanced" : "")}
        </Text>
        {open && (
          <Group gap="sm">
            {!balanced && (
              <Text size="sm" c="red.8" id="post-off" data-testid="post-off">
                {off.length ? `Cannot post yet: ${off.join("; ")}` : "Saving rows…"}
              </Text>
            )}
            <Button
              disabled={!balanced}
              loading={post.isPending}
              onClick={tryPost}
              aria-describedby={balanced ? undefined : "post-off"}
              rightSection={<Kbd size="xs">Ctrl Enter</Kbd>}
            >
              {attempt.uncertain ? "Post again" : "Post the batch"}
            </Button>
          </Group>
        )}
      </Group>
      {refused && open && (
        <Alert
          color={attempt.uncertain ? "yellow" : "red"}
          role="alert"
          title={attempt.uncertain ? "Not sure the batch was posted" : "Not posted"}
          data-testid="post-refused"
        >
          {refused}
          {attempt.uncertain && " Ctrl+Enter sends the same request again: the batch never posts twice."}
        </Alert>
      )}
      {batch.status === "posted" && (
        <Alert color="green" title="Posted" ref={doneRef} tabIndex={-1} data-testid="batch-posted">
          {batch.keyed_count} mail payments, {money(batch.keyed_total_cents)}, posted by {batch.posted_by}. Each row
          links to its payment's account.{" "}
          <Anchor component={Link} to="/batches" c="dark" underline="always">
            Back to the batches
          </Anchor>
        </Alert>
      )}
      {batch.status === "cancelled" && (
        <Alert color="gray" title="Cancelled" ref={doneRef} tabIndex={-1}>
          Nothing was posted.{" "}
          <Anchor component={Link} to="/batches" c="dark" underline="always">
            Back to the batches
          </Anchor>
        </Alert>
      )}
      {open && (
        <KeyingRow
          keying={keying}
          tender={batch.tender_type}
          onToRows={() => {
            // The newest row: the one just keyed is the one most often corrected.
            tableRef.current?.querySelector<HTMLElement>("tr[tabindex]")?.focus();
          }}
        />
      )}
      {said && (
        <Text size="sm" role="status">
          {said}
        </Text>
      )}
      <RowsTable
        rows={batch.rows}
        pending={keying.pending}
        tender={batch.tender_type}
        editable={open}
        current={current}
        onCurrent={setCurrent}
        onEdit={(row) => setEditing(row)}
        onDelete={(row) => remove.mutate(row)}
        onLeave={() => keying.focus("account")}
        tableRef={tableRef}
      />
      {open && (
        <Group>
          <Button variant="subtle" color="red" onClick={() => setCancelling(true)}>
            Cancel the batch
          </Button>
        </Group>
      )}
      <EditRowModal
        batch={batch}
        row={editing}
        tender={batch.tender_type}
        onClose={(saved) => {
          setEditing(null);
          if (saved) setSaid(saved);
        }}
      />
      <Modal opened={cancelling} onClose={() => setCancelling(false)} title={`Cancel ${batchName(batch)}?`}>
        <Stack>
          <Text>Nothing in it posts. The rows keyed stay on record with the cancelled batch.</Text>
          {cancel.isError && (
            <Alert color="red" role="alert" title="Not cancelled">
              {cancel.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" data-autofocus onClick={() => setCancelling(false)}>
              Keep keying
            </Button>
            <Button color="red" loading={cancel.isPending} onClick={() => cancel.mutate()}>
              Cancel the batch
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function BatchLoader() {
  const { batchId } = useParams({ from: "/batches/$batchId" });
  const id = Number(batchId);
  const batch = useQuery({
    queryKey: batchKey(id),
    queryFn: ({ signal }) => fetchBatch(id, signal),
    enabled: Number.isInteger(id) && id > 0,
  });
  const status = batch.data?.status;
  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <Group gap="sm">
          <PageTitle title={batch.data ? batchName(batch.data) : `Batch ${batchId}`}>
            {batch.data ? batchName(batch.data) : `Batch ${batchId}`}
          </PageTitle>
          {status && (
            <Badge variant="light" color={status === "open" ? "blue" : status === "posted" ? "green" : "gray"}>
              {status}
            </Badge>
          )}
        </Group>
        {batch.isPending && <Loader size="sm" aria-label="Loading the batch" />}
        {batch.isError && (
          <Alert color="red" role="alert" title="The batch did not load">
            {batch.error.message}
          </Alert>
        )}
        {batch.data && <Keying batch={batch.data} />}
      </Stack>
    </Container>
  );
}

/** Keying a batch of mailed payments against the adding-machine tape, and posting it when it balances. */
export function BatchPage() {
  return useCan("batches.key") ? <BatchLoader /> : <NoAccess what="Payment batches" />;
}
