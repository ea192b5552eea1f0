import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError, fieldErrorsOf } from "../../api/client.js";
import { type Dispute, type DisputeOutcome, resolveDispute } from "../../api/collections.js";
import { money } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Field = "status" | "resolution";
type Errors = Partial<Record<Field, string>>;

export const OUTCOME_WORDS: Record<DisputeOutcome, string> = {
  upheld: "Upheld: the customer was right",
  denied: "Denied: the charges stand",
  withdrawn: "Withdrawn by the customer",
};

const fieldErrors = (err: unknown): Errors => fieldErrorsOf<Field>(err);

/** What the dispute covers, in a few words. */
export const disputeScope = (d: Dispute) =>
  d.item_ids.length > 0
    ? `${d.item_ids.length === 1 ? "1 item" : `${d.item_ids.length} items`}, ${money(d.disputed_cents)}`
    : "the whole account";

/** What was resolved, for the line at the top of the collections section. */
const resolvedOutcome = (d: Dispute) =>
  `Dispute ${d.id} ${d.status}: ${d.status === "upheld" ? "adjust the bill as the investigation found; " : ""}` +
  "collection of what it held resumes with the next run.";

/**
 * Resolve a dispute after investigation: upheld, denied or withdrawn, with what was found. The dispute's version read
 * is sent back: if someone resolved it meanwhile, nothing is overwritten and the dialog says so. Ctrl+Enter resolves.
 */
export function ResolveDisputeModal({
  accountId,
  dispute,
  opened,
  onClose,
}: {
  accountId: number;
  dispute: Dispute | null;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const [status, setStatus] = useState<DisputeOutcome>("denied");
  const [resolution, setResolution] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const refs = { status: useRef<HTMLSelectElement>(null), resolution: useRef<HTMLTextAreaElement>(null) };
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (body: { version: number; status: DisputeOutcome; resolution: string }) =>
      resolveDispute(dispute!.id, body),
    onSuccess: async (d) => {
      await refreshMoney(client, [accountId]);
      onClose(resolvedOutcome(d));
    },
    onError: async (err) => {
      const found = fieldErrors(err);
      setErrors(found);
      const first = (Object.keys(found) as Field[])[0];
      if (first) refs[first].current?.focus();
      // Changed meanwhile: read the account's collections again so what is shown is what is on file.
      if (err instanceof ApiError && err.status === 409) await refreshMoney(client, [accountId]);
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setStatus("denied");
    setResolution("");
    setErrors({});
    save.reset();
  }, [opened]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending || !dispute) return;
    if (!resolution.trim()) {
      setErrors({ resolution: "What the investigation found" });
      refs.resolution.current?.focus();
      return;
    }
    save.mutate({ version: dispute.version, status, resolution: resolution.trim() });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const stale = save.error instanceof ApiError && save.error.status === 409;
  const other = save.isError && Object.keys(fieldErrors(save.error)).length === 0;

  return (
    <Modal
      opened={opened}
      onClose={() => onClose()}
      title={dispute ? `Resolve dispute ${dispute.id}` : "Resolve a dispute"}
      size="lg"
      returnFocus={false}
    >
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Resolve a dispute">
        <Stack gap="sm">
          {other && (
            <Alert color={stale ? "yellow" : "red"} role="alert" title="Not resolved">
              {stale
                ? "Someone else changed this dispute after you opened it: close this and look at it again."
                : save.error?.message}
            </Alert>
          )}
          {dispute && (
            <Text size="sm">
              Opened {dispute.opened_on}
              {dispute.opened_by ? ` by ${dispute.opened_by}` : ""} on {disputeScope(dispute)}: {dispute.reason}
              {dispute.notes ? `. ${dispute.notes}` : ""}
            </Text>
          )}
          <NativeSelect
            ref={refs.status}
            data-autofocus
            label="Outcome"
            data={(Object.keys(OUTCOME_WORDS) as DisputeOutcome[]).map((value) => ({
              value,
              label: OUTCOME_WORDS[value],
            }))}
            value={status}
            error={errors.status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as DisputeOutcome);
              setErrors((x) => ({ ...x, status: undefined }));
            }}
          />
          <Textarea
            ref={refs.resolution}
            label="What the investigation found"
            description="Kept with the dispute; say it to the customer"
            autosize
            minRows={2}
            maxLength={2000}
            value={resolution}
            error={errors.resolution}
            onChange={(e) => {
              setResolution(e.currentTarget.value);
              setErrors((x) => ({ ...x, resolution: undefined }));
            }}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter resolves it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending} disabled={stale}>
                Resolve dispute
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
