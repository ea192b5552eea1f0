import { Alert, Button, Group, Kbd, Loader, Paper, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { ApiError } from "../../api/client.js";
import { searchAccounts } from "../../api/search.js";
import { useCommands } from "../../commands/registry.js";
import { useMoneyAttempt } from "../account/attempt.js";
import { money } from "../account/money.js";
import { applySuspenseItem, fetchSuspenseItem, returnSuspenseItem, type Suggestion, type SuspenseItem } from "./api.js";
import { LOCKBOX_KEY, SUSPENSE_KEY } from "./keys.js";
import classes from "./Lockbox.module.css";

type Target = { account_id: number; account_number: string; name: string };
type Work = { kind: "apply"; target: Target; note?: string } | { kind: "return"; note: string };

/** The account typed, found by its exact number, or a message saying why not. */
async function accountByNumber(typed: string): Promise<Target | string> {
  const number = typed.replace(/[\s-]/g, "");
  if (!/^\d{10}$/.test(number)) return "An account number is 10 digits";
  const { results } = await searchAccounts(number, 5);
  const found = results.find((r) => r.account_number === number);
  return found ? { account_id: found.account_id, account_number: number, name: found.name } : `No account ${number}`;
}

/**
 * The selected suspense item: what the bank read, the accounts it may belong to (each saying why; 1-9 applies it to
 * that one), an account number to apply it to instead, and a note to return it to the sender with.
 */
export function ItemPanel({ item, onWorked }: { item: SuspenseItem; onWorked: (message: string) => void }) {
  const client = useQueryClient();
  const detail = useQuery({
    queryKey: [...SUSPENSE_KEY, "item", item.id],
    queryFn: ({ signal }) => fetchSuspenseItem(item.id, signal),
  });
  const suggestions = detail.data?.suggestions ?? [];
  const [number, setNumber] = useState("");
  const [numberError, setNumberError] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | null>(null);
  const attempt = useMoneyAttempt<Work>();
  const what = `Line ${item.line_number} (${money(item.amount_cents)})`;
  const work = useMutation({
    mutationFn: ({ key, body }: { key: string; body: Work }) =>
      body.kind === "apply"
        ? applySuspenseItem(
            item.id,
            { account_id: body.target.account_id, ...(body.note ? { note: body.note } : {}) },
            key,
          )
        : returnSuspenseItem(item.id, { note: body.note }, key),
    onSuccess: (done, { body }) => {
      attempt.settle();
      void client.invalidateQueries({ queryKey: LOCKBOX_KEY });
      onWorked(
        body.kind === "apply"
          ? `${what} applied to account ${body.target.account_number}, ${body.target.name}: payment ${done.payment_id}.`
          : `${what} returned to the sender.`,
      );
    },
    onError: (err) => attempt.settle(err),
  });
  const send = (body: Work) => {
    if (work.isPending) return;
    work.mutate(attempt.next(body));
  };
  const apply = (target: Target) => {
    const text = note.trim();
    send({ kind: "apply", target, ...(text ? { note: text } : {}) });
  };
  const applyTyped = async (event: FormEvent) => {
    event.preventDefault();
    setNumberError(null);
    const found = await accountByNumber(number).catch((err: Error) => err.message);
    if (typeof found === "string") setNumberError(found);
    else apply(found);
  };
  const giveBack = () => {
    const text = note.trim();
    if (!text) {
      setNoteError("Say why it goes back to the sender");
      document.getElementById(`suspense-note-${item.id}`)?.focus();
      return;
    }
    setNoteError(null);
    send({ kind: "return", note: text });
  };
  const onNoteKey = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      giveBack();
    }
  };
  const focusField = (id: string) => {
    const el = document.getElementById(id) as HTMLInputElement | null;
    el?.focus();
    el?.select();
  };
  useCommands([
    ...suggestions.slice(0, 9).map((s, i) => ({
      id: `suspense-apply-${i + 1}`,
      label: `Apply to suggestion ${i + 1}: ${s.account_number}`,
      description: `${s.name}: ${s.reasons.join(", ")}`,
      group: "This page" as const,
      shortcut: String(i + 1),
      run: () => apply(s),
    })),
    {
      id: "suspense-apply-number",
      label: "Apply to an account number",
      description: "Type the account number the suspense item belongs to",
      group: "This page",
      shortcut: "a",
      run: () => focusField(`suspense-account-${item.id}`),
    },
    {
      id: "suspense-return",
      label: "Return to the sender",
      description: "Send the payment back, with a note saying why",
      group: "This page",
      shortcut: "r",
      run: () => focusField(`suspense-note-${item.id}`),
    },
  ]);

  const refusal = work.error instanceof ApiError && !attempt.uncertain ? work.error : null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`suspense-item-${item.id}`}>
      <Stack gap="sm">
        <Title order={3} size="h5" id={`suspense-item-${item.id}`}>
          Line {item.line_number} of {item.file_name}: {money(item.amount_cents)}
        </Title>
        <Text size="sm">
          Account number read: <span className={classes.mono}>{item.account_number ?? "none"}</span> · remitter{" "}
          {item.remitter ?? "unknown"} · check {item.check_number ?? "none"} · deposited {item.deposit_date}.{" "}
          {item.reason_label}.
        </Text>
        {attempt.uncertain && (
          <Alert color="yellow" role="alert" title="Not sure it was done">
            {work.error?.message}. Do the same again: it is never done twice.
          </Alert>
        )}
        {refusal && (
          <Alert color="red" role="alert" title="Not done">
            {refusal.message}
          </Alert>
        )}
        <Stack gap={4}>
          <Text fw={600} size="sm" id={`suspense-suggestions-${item.id}`}>
            Suggested accounts
          </Text>
          {detail.isPending && <Loader size="xs" aria-label="Looking for accounts" />}
          {detail.data && suggestions.length === 0 && (
            <Text size="sm">No account looks like this one. Type the account number, or return it to the sender.</Text>
          )}
          {suggestions.length > 0 && (
            <ol className={classes.suggestions} aria-labelledby={`suspense-suggestions-${item.id}`}>
              {suggestions.slice(0, 9).map((s: Suggestion, i) => (
                <li key={s.account_id}>
                  <Group gap={6} wrap="nowrap" align="center">
                    <Kbd size="xs">{i + 1}</Kbd>
                    <Button
                      variant="light"
                      size="compact-sm"
                      onClick={() => apply(s)}
                      disabled={work.isPending}
                      aria-label={`Apply to ${s.account_number}, ${s.name}`}
                    >
                      Apply to {s.account_number}
                    </Button>
                    <Text span size="sm">
                      {s.name}
                      {s.status && s.status !== "active" ? ` (${s.status})` : ""}, amount due{" "}
                      {money(s.amount_due_cents)}
                    </Text>
                  </Group>
                  <Text size="xs" c="gray.7">
                    Why: {s.reasons.join(" · ")}
                  </Text>
                </li>
              ))}
            </ol>
          )}
        </Stack>
        <form onSubmit={applyTyped} aria-label="Apply to an account number">
          <Group align="flex-end" gap="xs">
            <TextInput
              id={`suspense-account-${item.id}`}
              label="Apply to account number"
              value={number}
              onChange={(e) => setNumber(e.currentTarget.value)}
              error={numberError}
              inputMode="numeric"
              autoComplete="off"
              w={200}
            />
            <Button type="submit" variant="default" disabled={work.isPending}>
              Apply
            </Button>
          </Group>
        </form>
        <Textarea
          id={`suspense-note-${item.id}`}
          label="Note"
          description="Kept with the item; required to return it to the sender (Ctrl+Enter returns it)"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          onKeyDown={onNoteKey}
          error={noteError}
          autosize
          minRows={2}
          maxLength={500}
        />
        <Group justify="flex-end">
          <Button color="red" variant="light" onClick={giveBack} loading={work.isPending && !attempt.uncertain}>
            Return to sender
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
