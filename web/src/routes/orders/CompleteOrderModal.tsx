import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError, fieldErrorsOf } from "../../api/client.js";
import {
  type CompleteOrderRequest,
  completeOrder,
  type FieldOrder,
  ORDER_KIND_WORDS,
  ORDERS_KEY,
} from "../../api/orders.js";
import { refreshMoney } from "../account/refresh.js";

type Field = "completed_on" | "read" | "notes";
type Errors = Partial<Record<Field, string>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const READING = /^\d{1,9}(\.\d{1,3})?$/;

const fieldErrors = (err: unknown): Errors => fieldErrorsOf<Field>(err);

/** What was done, for the line above the list. */
export const completedOutcome = (o: FieldOrder) =>
  `Order ${o.id} completed on ${o.completed_on}: ${ORDER_KIND_WORDS[o.kind].toLowerCase()} at ` +
  `${o.service_address ?? `account ${o.account_number}`}${o.completion_read ? `, meter read ${o.completion_read}` : ""}.`;

/**
 * Complete an order from the field: the day the work was done (today unless changed), the meter's reading and notes.
 * The order's version read is sent back: an order changed meanwhile (paid and cancelled) is not overwritten.
 * Ctrl+Enter completes it.
 */
export function CompleteOrderModal({
  order,
  opened,
  onClose,
}: {
  order: FieldOrder | null;
  opened: boolean;
  onClose: (done?: FieldOrder) => void;
}) {
  const [completedOn, setCompletedOn] = useState("");
  const [read, setRead] = useState("");
  const [notes, setNotes] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    completed_on: useRef<HTMLInputElement>(null),
    read: useRef<HTMLInputElement>(null),
    notes: useRef<HTMLTextAreaElement>(null),
  };
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (body: CompleteOrderRequest) => completeOrder(order!.id, body),
    onSuccess: async (done) => {
      await Promise.all([client.invalidateQueries({ queryKey: ORDERS_KEY }), refreshMoney(client, [done.account_id])]);
      onClose(done);
    },
    onError: async (err) => {
      const found = fieldErrors(err);
      setErrors(found);
      const first = (Object.keys(found) as Field[])[0];
      if (first) refs[first].current?.focus();
      if (err instanceof ApiError && err.status === 409) await client.invalidateQueries({ queryKey: ORDERS_KEY });
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setCompletedOn("");
    setRead("");
    setNotes("");
    setErrors({});
    save.reset();
  }, [opened]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending || !order) return;
    const missing: Errors = {};
    if (completedOn.trim() && !DATE.test(completedOn.trim()))
      missing.completed_on = "A date YYYY-MM-DD, or empty for today";
    if (read.trim() && !READING.test(read.trim())) missing.read = "The register's reading, e.g. 48213";
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      refs[(Object.keys(missing) as Field[])[0]!].current?.focus();
      return;
    }
    save.mutate({
      version: order.version,
      ...(completedOn.trim() ? { completed_on: completedOn.trim() } : {}),
      ...(read.trim() ? { read: read.trim() } : {}),
      ...(notes.trim() ? { notes: notes.trim() } : {}),
    });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const clear = (f: Field) => setErrors((x) => ({ ...x, [f]: undefined }));
  const stale = save.error instanceof ApiError && save.error.status === 409;
  const other = save.isError && Object.keys(fieldErrors(save.error)).length === 0;

  return (
    <Modal
      opened={opened}
      onClose={() => onClose()}
      title={order ? `Complete order ${order.id}` : "Complete an order"}
      size="lg"
      returnFocus={false}
    >
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Complete the order">
        <Stack gap="sm">
          {other && (
            <Alert color={stale ? "yellow" : "red"} role="alert" title="Not completed">
              {stale
                ? "This order was changed meanwhile (cancelled or completed by someone else): the list is read again."
                : save.error?.message}
            </Alert>
          )}
          {order && (
            <div>
              <Text size="sm">
                <strong>{ORDER_KIND_WORDS[order.kind]}</strong> at {order.service_address ?? "no premise on file"},
                account {order.account_number}; opened {order.opened_on}, due {order.due_on}.
              </Text>
              <Text size="xs" c="gray.7">
                {order.reason}
              </Text>
            </div>
          )}
          <TextInput
            ref={refs.read}
            data-autofocus
            label="Meter read"
            description="The register's reading at the work, e.g. 48213"
            inputMode="decimal"
            autoComplete="off"
            value={read}
            error={errors.read}
            onChange={(e) => {
              setRead(e.currentTarget.value);
              clear("read");
            }}
          />
          <TextInput
            ref={refs.completed_on}
            label="Completed on"
            description={`YYYY-MM-DD, empty for today; not before the day it was opened${order ? ` (${order.opened_on})` : ""}`}
            autoComplete="off"
            value={completedOn}
            error={errors.completed_on}
            onChange={(e) => {
              setCompletedOn(e.currentTarget.value);
              clear("completed_on");
            }}
          />
          <Textarea
            ref={refs.notes}
            label="Notes"
            description="What was done: locked off at the meter, customer not home, dog in the yard"
            autosize
            minRows={2}
            maxLength={2000}
            value={notes}
            error={errors.notes}
            onChange={(e) => {
              setNotes(e.currentTarget.value);
              clear("notes");
            }}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter completes it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending} disabled={stale}>
                Complete order
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
