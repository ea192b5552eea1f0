import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { type Dispute, type DisputeRequest, openDispute } from "../../api/collections.js";
import { fetchOpenItems, moneyKey, type ReceivableItem } from "../../api/ledger.js";
import { useMoneyAttempt } from "./attempt.js";
import { words } from "./format.js";
import { money } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Field = "scope" | "item_ids" | "reason" | "notes";
type Errors = Partial<Record<Field, string>>;
type Scope = "items" | "account";

function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) {
    // "item_ids.0": an item that cannot be disputed is said at the list of items.
    const field = (e.field.startsWith("item_ids") ? "item_ids" : e.field) as Field;
    errors[field] = errors[field] ? `${errors[field]}; ${e.message}` : e.message;
  }
  return errors;
}

/** A bill item as the person picks it: what, the period, when due, what is open. */
export const itemLabel = (item: ReceivableItem, today: string) =>
  `${words(item.category)}${item.service_period ? `, ${item.service_period.from} to ${item.service_period.to}` : ""}` +
  `${item.due_date ? `, due ${item.due_date}${item.due_date < today ? " (past due)" : ""}` : ", not billed yet"}: ` +
  `${money(item.open_cents)} open`;

/** What was opened, for the line at the top of the collections section. */
export const disputeOutcome = (d: Dispute) =>
  d.item_ids.length > 0
    ? `Dispute ${d.id} opened on ${d.item_ids.length === 1 ? "1 item" : `${d.item_ids.length} items`}: ${money(d.disputed_cents)} is held from collection while it is investigated.`
    : `Dispute ${d.id} opened on the whole account: every collection step is held while it is investigated.`;

/**
 * Open a dispute: on bill items the customer disputes (they are left out of what is collected) or on the whole
 * account (every collection step is held), with the customer's reason and notes. Space ticks an item; Ctrl+Enter
 * opens it.
 */
export function DisputeModal({
  accountId,
  opened,
  onClose,
  today,
}: {
  accountId: number;
  opened: boolean;
  onClose: (done?: string) => void;
  today: string;
}) {
  const items = useQuery({
    queryKey: [...moneyKey(accountId), "items"],
    queryFn: ({ signal }) => fetchOpenItems(accountId, signal),
    enabled: opened,
  });
  const billed = (items.data?.items ?? [])
    .filter((i) => BigInt(i.open_cents) > 0n)
    .sort((a, b) => (a.due_date ?? "9999").localeCompare(b.due_date ?? "9999") || a.id - b.id);
  const [scope, setScope] = useState<Scope>("items");
  const [chosen, setChosen] = useState<number[]>([]);
  const [reason, setReason] = useState("");
  const [notes, setNotes] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    scope: useRef<HTMLSelectElement>(null),
    item_ids: useRef<HTMLInputElement>(null),
    reason: useRef<HTMLInputElement>(null),
    notes: useRef<HTMLTextAreaElement>(null),
  };
  const attempt = useMoneyAttempt<DisputeRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: DisputeRequest }) => openDispute(accountId, body, key),
    onSuccess: async (d) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(disputeOutcome(d));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      setErrors(found);
      const first = (Object.keys(found) as Field[])[0];
      if (first) refs[first].current?.focus();
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setScope("items");
    setChosen([]);
    setReason("");
    setNotes("");
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);
  // Nothing open to choose: the dispute can only be of the account.
  useEffect(() => {
    if (opened && items.data && billed.length === 0) setScope("account");
  }, [opened, items.data, billed.length]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const missing: Errors = {};
    if (scope === "items" && chosen.length === 0) {
      missing.item_ids = "Tick the items the customer disputes, or choose the whole account";
    }
    if (!reason.trim()) missing.reason = "Why the customer disputes";
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      refs[(Object.keys(missing) as Field[])[0]!].current?.focus();
      return;
    }
    save.mutate(
      attempt.next({
        reason: reason.trim(),
        ...(notes.trim() ? { notes: notes.trim() } : {}),
        ...(scope === "items" ? { item_ids: [...chosen].sort((a, b) => a - b) } : {}),
      }),
    );
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const clear = (f: Field) => setErrors((x) => ({ ...x, [f]: undefined }));
  const heldCents = billed.filter((i) => chosen.includes(i.id)).reduce((s, i) => s + BigInt(i.open_cents), 0n);
  const other = save.isError && Object.keys(fieldErrors(save.error)).length === 0;

  return (
    <Modal opened={opened} onClose={() => onClose()} title="Open a dispute" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Open a dispute">
        <Stack gap="sm">
          {attempt.uncertain && (
            <Alert color="yellow" role="alert" title="Not sure the dispute was opened">
              {save.error?.message}. Ctrl+Enter sends it again: it is never opened twice.
            </Alert>
          )}
          {other && !attempt.uncertain && (
            <Alert color="red" role="alert" title="Not opened">
              {save.error?.message}
            </Alert>
          )}
          <NativeSelect
            ref={refs.scope}
            data-autofocus
            label="Disputed"
            data={[
              { value: "items", label: "Bill items: ticked below, left out of what is collected" },
              { value: "account", label: "The whole account: every collection step is held" },
            ]}
            value={scope}
            error={errors.scope}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setScope(e.currentTarget.value as Scope);
              clear("scope");
              clear("item_ids");
            }}
          />
          {scope === "items" && (
            <Checkbox.Group
              label="Items the customer disputes"
              description={
                chosen.length > 0
                  ? `${money(heldCents)} held from collection while the dispute is open`
                  : "Space ticks an item"
              }
              error={errors.item_ids}
              value={chosen.map(String)}
              onChange={(v) => {
                setChosen(v.map(Number));
                clear("item_ids");
              }}
            >
              <Stack gap={6} mt={6} data-testid="dispute-items">
                {items.isPending && <Loader size="sm" aria-label="Loading the open items" />}
                {items.isError && <Text size="sm">The open items did not load: {items.error.message}</Text>}
                {items.data && billed.length === 0 && <Text size="sm">No open items.</Text>}
                {billed.map((item, i) => (
                  <Checkbox
                    key={item.id}
                    ref={i === 0 ? refs.item_ids : undefined}
                    value={String(item.id)}
                    label={itemLabel(item, today)}
                    disabled={attempt.uncertain}
                  />
                ))}
              </Stack>
            </Checkbox.Group>
          )}
          <TextInput
            ref={refs.reason}
            label="Reason"
            description="Why the customer disputes, in a line"
            placeholder="Says the meter was misread"
            autoComplete="off"
            maxLength={200}
            value={reason}
            error={errors.reason}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              clear("reason");
            }}
          />
          <Textarea
            ref={refs.notes}
            label="Notes"
            description="What the customer said, what to check"
            autosize
            minRows={2}
            maxLength={2000}
            value={notes}
            error={errors.notes}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setNotes(e.currentTarget.value);
              clear("notes");
            }}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter opens it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {attempt.uncertain ? "Send again" : "Open dispute"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
