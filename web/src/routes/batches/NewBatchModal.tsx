import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { newIdempotencyKey } from "../../api/payments.js";
import { readAmount } from "./amount.js";
import { BATCH_LIST_KEY, type BatchTender, batchKey, createBatch, type NewBatch } from "./api.js";

interface Form {
  count: string;
  total: string;
  tender: BatchTender;
  label: string;
}
type Errors = Partial<Record<"count" | "total" | "tender" | "label", string>>;

const blank: Form = { count: "", total: "", tender: "check", label: "" };

function check(form: Form): { errors: Errors; body?: NewBatch } {
  const errors: Errors = {};
  const count = form.count.trim();
  if (!/^\d{1,4}$/.test(count) || Number(count) === 0) errors.count = "How many payments: a whole number above zero";
  const total = readAmount(form.total);
  if ("error" in total) errors.total = total.error;
  if (Object.keys(errors).length > 0 || "error" in total) return { errors };
  const label = form.label.trim();
  return {
    errors,
    body: {
      control_count: Number(count),
      control_total_cents: Number(total.cents),
      tender_type: form.tender,
      ...(label ? { label } : {}),
    },
  };
}

const FIELDS: Record<string, keyof Errors> = {
  control_count: "count",
  control_total_cents: "total",
  tender_type: "tender",
  label: "label",
};

/** A new batch: the adding-machine tape's count and total, the tender, an optional label; then on to keying. */
export function NewBatchModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [form, setForm] = useState<Form>(blank);
  const [errors, setErrors] = useState<Errors>({});
  const key = useRef(newIdempotencyKey());
  const navigate = useNavigate();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (body: NewBatch) => createBatch(body, key.current),
    onSuccess: (batch) => {
      client.setQueryData(batchKey(batch.id), batch);
      void client.invalidateQueries({ queryKey: BATCH_LIST_KEY });
      onClose();
      void navigate({ to: "/batches/$batchId", params: { batchId: String(batch.id) } });
    },
    onError: (err) => {
      const found: Errors = {};
      if (err instanceof ApiError) {
        for (const e of err.problem.errors ?? []) {
          const field = FIELDS[e.field];
          if (field) found[field] = e.message;
        }
      }
      setErrors(found);
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setForm(blank);
    setErrors({});
    key.current = newIdempotencyKey();
    save.reset();
  }, [opened]);

  const set = <K extends keyof Form>(field: K, value: Form[K]) => setForm((f) => ({ ...f, [field]: value }));
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const checked = check(form);
    setErrors(checked.errors);
    if (checked.body) save.mutate(checked.body);
  };
  const unexplained = save.isError && Object.keys(errors).length === 0;

  return (
    <Modal opened={opened} onClose={onClose} title="New payment batch">
      <form onSubmit={submit} noValidate aria-label="New payment batch">
        <Stack gap="sm">
          <Text size="sm">From the adding-machine tape: how many payments, and their total.</Text>
          {unexplained && (
            <Alert color="red" role="alert" title="Not opened">
              {save.error?.message}
            </Alert>
          )}
          <Group grow align="flex-start">
            <TextInput
              data-autofocus
              label="Control count"
              inputMode="numeric"
              autoComplete="off"
              required
              value={form.count}
              error={errors.count}
              onChange={(e) => set("count", e.currentTarget.value)}
            />
            <TextInput
              label="Control total"
              leftSection="$"
              inputMode="decimal"
              autoComplete="off"
              required
              value={form.total}
              error={errors.total}
              onChange={(e) => set("total", e.currentTarget.value)}
            />
          </Group>
          <Group grow align="flex-start">
            <NativeSelect
              label="Tender"
              data={[
                { value: "check", label: "Checks" },
                { value: "money_order", label: "Money orders" },
              ]}
              value={form.tender}
              error={errors.tender}
              onChange={(e) => set("tender", e.currentTarget.value as BatchTender)}
            />
            <TextInput
              label="Label"
              description="Optional: the mail run, the tape's number"
              autoComplete="off"
              maxLength={200}
              value={form.label}
              error={errors.label}
              onChange={(e) => set("label", e.currentTarget.value)}
            />
          </Group>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Open the batch
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
