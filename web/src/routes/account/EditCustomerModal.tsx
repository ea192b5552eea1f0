import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { type Party, type PartyChange, patchParty } from "../../api/accounts.js";
import { ApiError } from "../../api/client.js";
import { addressLine, phoneText } from "./format.js";

interface Form {
  phones: { number: string; label: string; primary: boolean }[];
  email: string;
  line1: string;
  line2: string;
  city: string;
  state: string;
  zip: string;
}

function formOf(p: Party): Form {
  const a = p.mailing_address;
  return {
    // One empty slot after the numbers on file, for adding one.
    phones: [
      ...p.phones.map((ph) => ({ number: phoneText(ph.number), label: ph.label, primary: ph.primary })),
      { number: "", label: "mobile", primary: p.phones.length === 0 },
    ],
    email: p.email ?? "",
    line1: a?.line1 ?? "",
    line2: a?.line2 ?? "",
    city: a?.city ?? "",
    state: a?.state ?? "",
    zip: a?.zip ?? "",
  };
}

function changeOf(f: Form, version: number): PartyChange {
  const hasAddress = [f.line1, f.city, f.state, f.zip].some((v) => v.trim());
  return {
    version,
    phones: f.phones.filter((p) => p.number.trim()).map((p) => ({ ...p, number: p.number.trim() })),
    email: f.email.trim() || null,
    mailing_address: hasAddress
      ? { line1: f.line1, line2: f.line2 || null, city: f.city, state: f.state.toUpperCase(), zip: f.zip }
      : null,
  };
}

/** The field named by a 400's errors[] entry ("phones.0.number"), as this form names it. */
const errorsOf = (err: Error | null): Record<string, string> =>
  err instanceof ApiError && err.status === 400
    ? Object.fromEntries((err.problem.errors ?? []).map((e) => [e.field.replace(/^mailing_address\./, ""), e.message]))
    : {};

/**
 * Edits the customer's phone numbers, email and mailing address with the version read. When someone else saved
 * first, it says so, shows what is on file now, and keeps what the CSR typed so Save applies it again.
 */
export function EditCustomerModal({ party, opened, onClose }: { party: Party; opened: boolean; onClose: () => void }) {
  const [form, setForm] = useState<Form>(() => formOf(party));
  const [version, setVersion] = useState(party.version);
  const [stale, setStale] = useState<Party | null>(null);
  const client = useQueryClient();
  useEffect(() => {
    if (opened) {
      setForm(formOf(party));
      setVersion(party.version);
      setStale(null);
    }
  }, [opened, party]);
  const save = useMutation({
    mutationFn: (body: PartyChange) => patchParty(party.id, body),
    onSuccess: async () => {
      onClose();
      await client.invalidateQueries({ queryKey: ["account"] });
      await client.invalidateQueries({ queryKey: ["audit"] });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409 && err.problem.current) {
        const current = err.problem.current as Party;
        setStale(current);
        setVersion(current.version);
      }
    },
  });
  const errors = errorsOf(save.error);
  const set = (field: Exclude<keyof Form, "phones">, value: string) => setForm((f) => ({ ...f, [field]: value }));
  const setPhone = (i: number, value: string) =>
    setForm((f) => ({ ...f, phones: f.phones.map((p, j) => (j === i ? { ...p, number: value } : p)) }));
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    save.mutate(changeOf(form, version));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Edit customer details" size="lg">
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Edit customer details">
        <Stack gap="sm">
          {stale && (
            <Alert color="yellow" role="alert" title="Someone else changed it">
              <Text size="sm">
                These are the details on file now. Your changes are still below: save to apply them.
              </Text>
              <Text size="sm">Phones: {stale.phones.map((p) => phoneText(p.number)).join(", ") || "—"}</Text>
              <Text size="sm">Email: {stale.email ?? "—"}</Text>
              <Text size="sm">Mailing address: {addressLine(stale.mailing_address)}</Text>
            </Alert>
          )}
          {save.isError && !stale && Object.keys(errors).length === 0 && (
            <Alert color="red" role="alert" title="Not saved">
              {save.error.message}
            </Alert>
          )}
          {form.phones.map((p, i) => (
            <TextInput
              // biome-ignore lint/suspicious/noArrayIndexKey: phone slots keep their order while the form is open
              key={i}
              data-autofocus={i === 0 ? true : undefined}
              label={i < party.phones.length ? `Phone (${p.label})` : "Another phone"}
              type="tel"
              autoComplete="off"
              value={p.number}
              error={errors[`phones.${i}.number`]}
              onChange={(e) => setPhone(i, e.currentTarget.value)}
            />
          ))}
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            value={form.email}
            error={errors.email}
            onChange={(e) => set("email", e.currentTarget.value)}
          />
          <TextInput
            label="Address line 1"
            value={form.line1}
            error={errors.line1}
            onChange={(e) => set("line1", e.currentTarget.value)}
          />
          <TextInput
            label="Address line 2"
            value={form.line2}
            error={errors.line2}
            onChange={(e) => set("line2", e.currentTarget.value)}
          />
          <Group grow>
            <TextInput
              label="City"
              value={form.city}
              error={errors.city}
              onChange={(e) => set("city", e.currentTarget.value)}
            />
            <TextInput
              label="State"
              value={form.state}
              error={errors.state}
              onChange={(e) => set("state", e.currentTarget.value)}
            />
            <TextInput
              label="ZIP"
              value={form.zip}
              error={errors.zip}
              onChange={(e) => set("zip", e.currentTarget.value)}
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
                Save details
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
