import { Alert, Button, Group, Modal, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { type LetterRecorded, type LetterRequest, recordLetter } from "../../api/credit.js";
import { useMoneyAttempt } from "./attempt.js";
import { refreshMoney } from "./refresh.js";

type Field = "issuer" | "months" | "late" | "disconnections" | "issuedOn" | "note";
type Form = Record<Field, string>;
type Errors = Partial<Record<Field, string>>;

const API_FIELD: Record<string, Field> = {
  issuer: "issuer",
  months_of_service: "months",
  late_payments: "late",
  disconnections: "disconnections",
  issued_on: "issuedOn",
  note: "note",
};
const ORDER: Field[] = ["issuer", "months", "late", "disconnections", "issuedOn", "note"];

const blank = (): Form => ({ issuer: "", months: "", late: "", disconnections: "", issuedOn: "", note: "" });

/** A whole count as typed ("36"), or null. */
const count = (text: string) => (/^\d{1,3}$/.test(text.trim()) ? Number(text.trim()) : null);

/** A real calendar date typed as YYYY-MM-DD. */
function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** The form's fields checked here (the server checks again). */
function check(form: Form, asOf: string | undefined): { errors: Errors; body?: LetterRequest } {
  const errors: Errors = {};
  if (!form.issuer.trim()) errors.issuer = "The utility that wrote the letter";
  const months = count(form.months);
  const late = count(form.late);
  const disconnections = count(form.disconnections);
  if (months === null) errors.months = "A whole number of months, like 36";
  if (late === null) errors.late = "A whole number, 0 if none";
  if (disconnections === null) errors.disconnections = "A whole number, 0 if none";
  const issuedOn = form.issuedOn.trim();
  if (!isDate(issuedOn)) errors.issuedOn = "The date on the letter, YYYY-MM-DD";
  else if (asOf && issuedOn > asOf) errors.issuedOn = `After today (${asOf})`;
  if (Object.keys(errors).length > 0 || months === null || late === null || disconnections === null) return { errors };
  const note = form.note.trim();
  return {
    errors,
    body: {
      issuer: form.issuer.trim(),
      months_of_service: months,
      late_payments: late,
      disconnections,
      issued_on: issuedOn,
      ...(note ? { note } : {}),
    },
  };
}

function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) {
    const field = API_FIELD[e.field];
    if (field) errors[field] = e.message;
  }
  return errors;
}

/** What the letter did: the deposits it waived, or what it lacks. */
const outcome = (r: LetterRecorded) => r.explanation;

/**
 * Record a letter of credit from another utility: who wrote it, the months of service it shows, the late payments
 * and disconnections in them, and its date, as the letter says. Enter (or Ctrl+Enter) records it. A letter that
 * shows what policy asks waives the deposits to start or restore service (their installments come off the
 * balance); one that falls short is kept and the line says what it lacks.
 */
export function LetterOfCreditModal({
  accountId,
  asOf,
  opened,
  onClose,
}: {
  accountId: number;
  /** Today's business date: a letter cannot be dated later. */
  asOf: string | undefined;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const [form, setForm] = useState<Form>(blank);
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    issuer: useRef<HTMLInputElement>(null),
    months: useRef<HTMLInputElement>(null),
    late: useRef<HTMLInputElement>(null),
    disconnections: useRef<HTMLInputElement>(null),
    issuedOn: useRef<HTMLInputElement>(null),
    note: useRef<HTMLInputElement>(null),
  };
  const focusFirst = (found: Errors) => refs[ORDER.find((f) => found[f]) ?? "issuer"].current?.focus();
  const sendButton = useRef<HTMLButtonElement>(null);
  const attempt = useMoneyAttempt<LetterRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: LetterRequest }) => recordLetter(accountId, body, key),
    onSuccess: async (result) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(outcome(result));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      setErrors(found);
      if (Object.keys(found).length) focusFirst(found);
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setForm(blank());
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);
  useEffect(() => {
    if (attempt.uncertain) sendButton.current?.focus();
  }, [attempt.uncertain]);

  const set = (field: Field, value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((e) => (field in e ? { ...e, [field]: undefined } : e));
  };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const checked = check(form, asOf);
    setErrors(checked.errors);
    if (!checked.body) return focusFirst(checked.errors);
    save.mutate(attempt.next(checked.body));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const locked = attempt.uncertain || save.isPending;
  const explained = save.isError && Object.keys(fieldErrors(save.error)).length > 0;
  const input = (field: Field) => ({
    ref: refs[field],
    autoComplete: "off",
    readOnly: locked,
    value: form[field],
    error: errors[field],
    onChange: (e: { currentTarget: HTMLInputElement }) => set(field, e.currentTarget.value),
  });
  const numeric = { inputMode: "numeric" as const, maxLength: 3, required: true };

  return (
    // The credit section puts focus where it belongs when this closes (the line saying what happened).
    <Modal opened={opened} onClose={() => onClose()} title="Record a letter of credit" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Record a letter of credit">
        <Stack gap="sm">
          {attempt.uncertain ? (
            <Alert color="yellow" role="alert" title="Not sure the letter was recorded">
              {save.error?.message}. Ctrl+Enter sends it again: a letter kept twice waives nothing twice.
            </Alert>
          ) : (
            save.isError &&
            !explained && (
              <Alert color="red" role="alert" title="Not recorded">
                {save.error.message}
              </Alert>
            )
          )}
          <Text size="sm">
            Type what the letter from the customer's previous utility says. Policy waives the deposit to start or
            restore service when it shows enough months of service without late payments or disconnections.
          </Text>
          <TextInput {...input("issuer")} data-autofocus label="Utility that wrote it" required maxLength={200} />
          <SimpleGrid cols={3} spacing="sm">
            <TextInput {...input("months")} {...numeric} label="Months of service" />
            <TextInput {...input("late")} {...numeric} label="Late payments" />
            <TextInput {...input("disconnections")} {...numeric} label="Disconnections" />
          </SimpleGrid>
          <TextInput
            {...input("issuedOn")}
            label="Date of the letter"
            placeholder="YYYY-MM-DD"
            required
            maxLength={10}
          />
          <TextInput {...input("note")} label="Note" maxLength={500} />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Enter or Ctrl+Enter records it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button ref={sendButton} type="submit" loading={save.isPending}>
                {attempt.uncertain ? "Send again" : "Record the letter"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
