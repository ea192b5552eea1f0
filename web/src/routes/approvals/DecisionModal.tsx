import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { type ApprovalDecided, type ApprovalRequest, approveRequest, rejectRequest } from "../../api/approvals.js";
import { ApiError } from "../../api/client.js";
import { useMoneyAttempt } from "../account/attempt.js";
import { money } from "../account/money.js";
import { refreshMoney } from "../account/refresh.js";

export type Decision = "approve" | "reject";

/** "Credit of $120.00" / "Refund of $30.00". */
export const whatOf = (r: ApprovalRequest) =>
  `${r.kind === "refund" ? "Refund" : "Credit"} of ${money(r.amount_cents)}`;

/** What a decision did, for the line above the queue. */
function outcome(mode: Decision, r: ApprovalRequest, done: ApprovalDecided): string {
  const on = `on account ${r.account_number} (${r.customer_name}), asked by ${r.requested_by}`;
  if (mode === "reject") return `Rejected: ${whatOf(r).toLowerCase()} ${on}. Nothing was posted.`;
  const posted = done.adjustment ?? done.refund;
  const balance = posted ? ` The balance is now ${money(posted.balance_cents)}.` : "";
  return `Approved: ${whatOf(r).toLowerCase()} ${on}, posted.${balance}`;
}

/** A refusal in words: someone else decided it, the limit, one's own, the credit no longer there. */
function refusal(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 409) return "Someone else decided or changed this request meanwhile: the queue is read again.";
  if (err.status === 422) return err.problem.detail ?? err.message;
  return null;
}

/**
 * Approve (a note if wanted) or reject (a note saying why, required) one request. Enter or Ctrl+Enter in the note
 * confirms. Approving posts the credit or refund, so each attempt carries an Idempotency-Key, reused on a retry after
 * a lost answer.
 */
export function DecisionModal({
  request,
  mode,
  onClose,
}: {
  request: ApprovalRequest | null;
  mode: Decision;
  onClose: (done?: string) => void;
}) {
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | undefined>();
  const noteField = useRef<HTMLInputElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const attempt = useMoneyAttempt<{ version: number; note?: string }>();
  const client = useQueryClient();
  const decide = useMutation({
    mutationFn: async ({
      r,
      key,
      body,
    }: {
      r: ApprovalRequest;
      key: string;
      body: { version: number; note?: string };
    }) =>
      mode === "approve"
        ? approveRequest(r.id, body, key)
        : rejectRequest(r.id, { version: body.version, note: body.note ?? "" }),
    onSuccess: async (done, { r }) => {
      attempt.settle();
      await Promise.all([client.invalidateQueries({ queryKey: ["approvals"] }), refreshMoney(client, [r.account_id])]);
      onClose(outcome(mode, r, done));
    },
    onError: (err) => {
      attempt.settle(err);
      if (err instanceof ApiError && err.status === 409) void client.invalidateQueries({ queryKey: ["approvals"] });
      const noteProblem = err instanceof ApiError ? err.problem.errors?.find((e) => e.field === "note") : undefined;
      if (noteProblem) {
        setNoteError(noteProblem.message);
        noteField.current?.focus();
      }
    },
  });
  const opened = request !== null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setNote("");
    setNoteError(undefined);
    attempt.reset();
    decide.reset();
  }, [opened, request?.id, mode]);
  useEffect(() => {
    if (attempt.uncertain) sendButton.current?.focus();
  }, [attempt.uncertain]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!request || decide.isPending) return;
    const text = note.trim();
    if (mode === "reject" && !text) {
      setNoteError("Say why it is rejected");
      noteField.current?.focus();
      return;
    }
    setNoteError(undefined);
    const { key, body } = attempt.next({ version: request.version, ...(text ? { note: text } : {}) });
    decide.mutate({ r: request, key, body });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const approve = mode === "approve";
  const title = approve ? "Approve the request" : "Reject the request";
  const refused = decide.isError && !noteError ? refusal(decide.error) : null;
  return (
    // Focus is put back by the page (on the line saying what was done, or where it was): the modal's own late return
    // of focus would pull the cursor back from wherever the person has gone since.
    <Modal opened={opened} onClose={() => onClose()} title={title} size="lg" returnFocus={false}>
      {request && (
        <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label={title}>
          <Stack gap="sm">
            {attempt.uncertain ? (
              <Alert color="yellow" role="alert" title="Not sure it was approved">
                {decide.error?.message}. Enter sends the same approval again: it is never posted twice.
              </Alert>
            ) : (
              decide.isError &&
              !noteError && (
                <Alert color="red" role="alert" title={approve ? "Not approved" : "Not rejected"}>
                  {refused ?? decide.error.message}
                </Alert>
              )
            )}
            <Text>
              <b>{whatOf(request)}</b> on account {request.account_number} ({request.customer_name}), asked by{" "}
              {request.requested_by}: {request.summary}
            </Text>
            <TextInput
              ref={noteField}
              data-autofocus
              label={approve ? "Note (optional)" : "Why it is rejected"}
              description={approve ? undefined : `${request.requested_by} reads this on the account`}
              required={!approve}
              autoComplete="off"
              maxLength={1000}
              readOnly={attempt.uncertain || decide.isPending}
              value={note}
              error={noteError}
              onChange={(e) => setNote(e.currentTarget.value)}
            />
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed">
                Enter confirms
              </Text>
              <Group>
                <Button variant="default" onClick={() => onClose()}>
                  Cancel
                </Button>
                <Button ref={sendButton} type="submit" color={approve ? undefined : "red.9"} loading={decide.isPending}>
                  {attempt.uncertain ? "Send again" : approve ? `Approve ${money(request.amount_cents)}` : "Reject"}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
