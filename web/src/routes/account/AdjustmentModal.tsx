import { Alert, Button, Group, Modal, NativeSelect, Radio, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import {
  type AdjustmentKind,
  type AdjustmentReason,
  type AdjustmentRequest,
  type AdjustmentResult,
  type ApprovalLimits,
  approverFor,
  fetchAdjustmentReasons,
  fetchApprovalLimits,
  isPending,
  makeAdjustment,
  ownLimit,
} from "../../api/adjustments.js";
import { ApiError } from "../../api/client.js";
import { useCurrentUser } from "../../user.js";
import { useMoneyAttempt } from "./attempt.js";
import { money, parseDollars } from "./money.js";
import { refreshMoney } from "./refresh.js";

interface Form {
  kind: AdjustmentKind;
  amount: string;
  reason: string;
  note: string;
}
type Errors = Partial<Record<"kind" | "amount" | "reason" | "note", string>>;

const blank = (): Form => ({ kind: "credit", amount: "", reason: "", note: "" });
const KIND_WORD: Record<AdjustmentKind, string> = { credit: "Credit", charge: "Charge" };

/** The form's fields checked here (the server checks again): an amount of cents above zero, a reason. */
function check(form: Form): { errors: Errors; body?: AdjustmentRequest } {
  const errors: Errors = {};
  const cents = parseDollars(form.amount);
  if (cents === null) errors.amount = "An amount in dollars and cents, like 20.00";
  else if (cents <= 0n) errors.amount = "More than zero";
  if (!form.reason) errors.reason = "Choose a reason";
  if (Object.keys(errors).length > 0 || cents === null) return { errors };
  const note = form.note.trim();
  return {
    errors,
    body: { kind: form.kind, amount_cents: Number(cents), reason_code: form.reason, ...(note ? { note } : {}) },
  };
}

/** The server's refusal on the form's fields. */
function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) {
    if (e.field === "amount_cents") errors.amount = e.message;
    if (e.field === "reason_code") errors.reason = e.message;
    if (e.field === "kind") errors.kind = e.message;
    if (e.field === "note") errors.note = e.message;
  }
  return errors;
}

/**
 * What the adjustment did, for the line above the account's adjustments: made, with the new balance; or, above
 * the person's limit, waiting for approval and by whom.
 */
function outcome(
  result: AdjustmentResult,
  roles: string[],
  limits: ApprovalLimits | undefined,
  reasons: AdjustmentReason[] | undefined,
): string {
  if (isPending(result)) {
    const r = result.approval_request;
    const code = String(r.payload.reason_code ?? "");
    const label = reasons?.find((x) => x.code === code)?.label ?? code.replace(/_/g, " ");
    const who = approverFor(BigInt(r.amount_cents), roles, limits);
    return `Waiting for approval by ${who}: ${money(r.amount_cents)} ${label.toLowerCase()}`;
  }
  const billed = result.kind === "charge" ? " (billed with the next bill)" : "";
  return (
    `${KIND_WORD[result.kind]} of ${money(result.amount_cents)} made (${result.reason_label}), adjustment ${result.id}${billed}. ` +
    `The balance is now ${money(result.balance_cents)}.`
  );
}

/**
 * Adjust the account: credit (the usual courtesy credit) or charge, the amount, a reason chosen by its first
 * letter from the reasons for that kind, a note. Ctrl+Enter posts from any field. Each attempt carries its own
 * Idempotency-Key and a retry after a lost answer sends the same one, so an adjustment never posts twice. A credit
 * above the person's limit posts nothing: it waits for approval by someone whose limit covers it, and the dialog
 * closes saying so.
 */
export function AdjustmentModal({
  accountId,
  opened,
  onClose,
}: {
  accountId: number;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const { roles } = useCurrentUser();
  const reasons = useQuery({
    queryKey: ["adjustment-reasons"],
    queryFn: ({ signal }) => fetchAdjustmentReasons(signal),
    enabled: opened,
    staleTime: 60_000,
  });
  const limits = useQuery({
    queryKey: ["approval-limits"],
    queryFn: ({ signal }) => fetchApprovalLimits(signal),
    enabled: opened,
    staleTime: 60_000,
    retry: false,
  }).data;
  const limit = ownLimit(roles, limits);
  const [form, setForm] = useState<Form>(blank);
  const [errors, setErrors] = useState<Errors>({});
  const amountField = useRef<HTMLInputElement>(null);
  const reasonField = useRef<HTMLSelectElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const attempt = useMoneyAttempt<AdjustmentRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: AdjustmentRequest }) => makeAdjustment(accountId, body, key),
    onSuccess: async (result) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(outcome(result, roles, limits, reasons.data));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      setErrors(found);
      // The person fixes the field the refusal names: the cursor goes there.
      if (found.amount) amountField.current?.focus();
      else if (found.reason) reasonField.current?.focus();
    },
  });
  // Each opening starts a new adjustment.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setForm(blank());
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);

  // Not sure it was made: the choices freeze (a focused one would drop focus), so the cursor goes to Send again.
  useEffect(() => {
    if (attempt.uncertain) sendButton.current?.focus();
  }, [attempt.uncertain]);

  const offered = (reasons.data ?? []).filter((r) => r.kinds.includes(form.kind));
  // A field's refusal goes once the person changes it: what it said was about the value that was there.
  const set = <K extends keyof Form>(field: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((e) => (field in e ? { ...e, [field]: undefined } : e));
  };
  const setKind = (kind: AdjustmentKind) =>
    setForm((f) => {
      // A reason not allowed for the new kind is dropped rather than sent to be refused.
      const still = reasons.data?.find((r) => r.code === f.reason)?.kinds.includes(kind);
      return { ...f, kind, reason: still ? f.reason : "" };
    });
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const checked = check(form);
    setErrors(checked.errors);
    if (!checked.body) {
      if (checked.errors.amount) amountField.current?.focus();
      else reasonField.current?.focus();
      return;
    }
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
  const cents = parseDollars(form.amount);
  const word = KIND_WORD[form.kind];
  // Above the limit the credit is sent for approval: the button says so before it is pressed.
  const forApproval =
    form.kind === "credit" && cents !== null && limit !== undefined && limit !== null && cents > limit;

  return (
    <Modal opened={opened} onClose={() => onClose()} title="Adjust the account" size="lg">
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Adjust the account">
        <Stack gap="sm">
          {attempt.uncertain ? (
            <Alert color="yellow" role="alert" title="Not sure the adjustment was made">
              {save.error?.message}. Ctrl+Enter sends the same adjustment again: it is never made twice.
            </Alert>
          ) : (
            save.isError &&
            !explained && (
              <Alert color="red" role="alert" title="Not made">
                {save.error.message}
              </Alert>
            )
          )}
          <Radio.Group
            label="Credit or charge"
            value={form.kind}
            error={errors.kind}
            onChange={(v) => setKind(v as AdjustmentKind)}
          >
            <Group gap="xl" mt={4}>
              <Radio
                data-autofocus
                value="credit"
                label="Credit"
                description="Lowers the balance"
                disabled={attempt.uncertain}
              />
              <Radio
                value="charge"
                label="Charge"
                description="Raises it; billed with the next bill"
                disabled={attempt.uncertain}
              />
            </Group>
          </Radio.Group>
          <TextInput
            ref={amountField}
            label="Amount"
            description={
              form.kind === "credit" && limit !== undefined && !errors.amount
                ? limit === null
                  ? "You have no limit for credits"
                  : `Your limit for credits is ${money(limit)}; a larger one waits for approval`
                : undefined
            }
            leftSection="$"
            inputMode="decimal"
            autoComplete="off"
            required
            readOnly={locked}
            value={form.amount}
            error={errors.amount}
            onFocus={(e) => e.currentTarget.select()}
            onChange={(e) => set("amount", e.currentTarget.value)}
          />
          <NativeSelect
            ref={reasonField}
            label="Reason"
            required
            disabled={attempt.uncertain}
            data={[
              {
                value: "",
                label: reasons.isPending ? "Loading the reasons…" : "Choose a reason (type its first letter)",
              },
              ...offered.map((r) => ({ value: r.code, label: r.label })),
            ]}
            value={form.reason}
            error={
              errors.reason ?? (reasons.isError ? `The reasons did not load: ${reasons.error.message}` : undefined)
            }
            onChange={(e) => set("reason", e.currentTarget.value)}
          />
          <TextInput
            label="Note"
            autoComplete="off"
            maxLength={1000}
            readOnly={locked}
            value={form.note}
            error={errors.note}
            onChange={(e) => set("note", e.currentTarget.value)}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter posts
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button ref={sendButton} type="submit" loading={save.isPending}>
                {attempt.uncertain
                  ? "Send again"
                  : forApproval
                    ? `Ask approval for ${money(cents)}`
                    : cents !== null && cents > 0n
                      ? `${word} ${money(cents)}`
                      : `Post ${word.toLowerCase()}`}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
