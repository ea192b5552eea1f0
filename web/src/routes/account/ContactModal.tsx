import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { CHANNELS, type ContactInput, logContact, OUTCOMES, REASONS } from "../../api/accounts.js";
import { words } from "./format.js";

const EMPTY: ContactInput = { channel: "phone", reason_code: "", notes: "", outcome: "resolved" };
const options = (values: readonly string[]) => values.map((v) => ({ value: v, label: words(v) }));

/**
 * The contact wrap-up: reason first (a letter picks it), notes, then outcome (resolved unless changed) and channel
 * (phone unless changed). Ctrl+Enter saves from any field, so a call is written down in a few keys plus the notes.
 */
export function ContactModal({
  accountId,
  opened,
  onClose,
}: {
  accountId: number;
  opened: boolean;
  onClose: () => void;
}) {
  const [form, setForm] = useState<ContactInput>(EMPTY);
  const [missing, setMissing] = useState(false);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (body: ContactInput) => logContact(accountId, body),
    onSuccess: async () => {
      setForm(EMPTY);
      setMissing(false);
      onClose();
      await client.invalidateQueries({ queryKey: ["account", accountId] });
      await client.invalidateQueries({ queryKey: ["audit", accountId] });
    },
  });
  const set = (field: keyof ContactInput, value: string) => setForm((f) => ({ ...f, [field]: value }));
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!form.reason_code) return setMissing(true);
    save.mutate(form);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Log contact" size="lg">
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Log contact">
        <Stack gap="sm">
          {save.isError && (
            <Alert color="red" role="alert" title="Not saved">
              {save.error.message}
            </Alert>
          )}
          <NativeSelect
            data-autofocus
            label="Reason"
            required
            data={[{ value: "", label: "Choose a reason (type its first letter)" }, ...options(REASONS)]}
            value={form.reason_code}
            error={missing && !form.reason_code ? "Choose a reason" : undefined}
            onChange={(e) => set("reason_code", e.currentTarget.value)}
          />
          <Textarea
            label="Notes"
            autosize
            minRows={3}
            maxLength={4000}
            value={form.notes}
            onChange={(e) => set("notes", e.currentTarget.value)}
          />
          <Group grow>
            <NativeSelect
              label="Outcome"
              data={options(OUTCOMES)}
              value={form.outcome}
              onChange={(e) => set("outcome", e.currentTarget.value)}
            />
            <NativeSelect
              label="Channel"
              data={options(CHANNELS)}
              value={form.channel}
              onChange={(e) => set("channel", e.currentTarget.value)}
            />
          </Group>
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter saves
            </Text>
            <Group>
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                Save contact
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
