import { Alert, Button, Group, Modal, NativeSelect, Radio, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import {
  type Adjustment,
  type AdjustmentKind,
  type AdjustmentRequest,
  fetchAdjustmentReasons,
  fetchCreditLimits,
  makeAdjustment,
  OVER_LIMIT_RULE,
} from "../../api/adjustments.js";
import { ApiError } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";
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

/** Who a credit above one's own limit goes to: the next people up, in the order a CSR asks them. */
const ESCALATION = ["lead", "supervisor"];

/** The largest credit the user may make: the highest of their roles' limits (a role not listed has none). */
function ownLimit(roles: string[], limits: Record<string, number> | undefined): bigint | undefined {
  if (!limits) return undefined;
  return roles.reduce(
    (most, r) => (limits[r] !== undefined && BigInt(limits[r]) > most ? BigInt(limits[r]) : most),
    0n,
  );
}

/** "a lead or supervisor": the roles above the user's whose limit covers the amount (all of them if not known). */
function whoCanMake(amount: bigint, roles: string[], limits: Record<string, number> | undefined): string {
  const up = ESCALATION.filter((r) => !roles.includes(r) && (!limits || BigInt(limits[r] ?? 0) >= amount));
  if (up.length === 0) return "it needs someone with a higher limit";
  return `a ${up.join(" or ")} can make this one`;
}

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

/** The server's refusal on the form's fields: the over-limit rule at the amount, with the limit in dollars. */
function fieldErrors(
  err: unknown,
  body: AdjustmentRequest | undefined,
  roles: string[],
  limits?: Record<string, number>,
) {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  if (err.status === 422 && err.problem.rule === OVER_LIMIT_RULE) {
    const raw = err.problem.limit_cents;
    const limit = typeof raw === "number" && Number.isSafeInteger(raw) ? money(raw) : "below this amount";
    const who = whoCanMake(BigInt(body?.amount_cents ?? 0), roles, limits);
    errors.amount = `Your limit for credits is ${limit}; ${who}`;
    return errors;
  }
  for (const e of err.problem.errors ?? []) {
    if (e.field === "amount_cents") errors.amount = e.message;
    if (e.field === "reason_code") errors.reason = e.message;
    if (e.field === "kind") errors.kind = e.message;
    if (e.field === "note") errors.note = e.message;
  }
  return errors;
}

/** What the adjustment did, for the line above the account's adjustments. */
function outcome(a: Adjustment & { balance_cents: Cents }): string {
  const billed = a.kind === "charge" ? " (billed with the next bill)" : "";
  return (
    `${KIND_WORD[a.kind]} of ${money(a.amount_cents)} made (${a.reason_label}), adjustment ${a.id}${billed}. ` +
    `The balance is now ${money(a.balance_cents)}.`
  );
}

/**
 * Adjust the account: credit (the usual courtesy credit) or charge, the amount, a reason chosen by its first
 * letter from the reasons for that kind, a note. Ctrl+Enter posts from any field. Each attempt carries its own
 * Idempotency-Key and a retry after a lost answer sends the same one, so an adjustment never posts twice. A credit
 * above the person's limit is refused at the amount, saying the limit and who can make it.
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
    queryKey: ["adjustment-credit-limits"],
    queryFn: ({ signal }) => fetchCreditLimits(signal),
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
    onSuccess: async (adjustment) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(outcome(adjustment));
    },
    onError: (err, { body }) => {
      attempt.settle(err);
      const found = fieldErrors(err, body, roles, limits);
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
  const set = <K extends keyof Form>(field: K, value: Form[K]) => setForm((f) => ({ ...f, [field]: value }));
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
  const explained = save.isError && Object.keys(fieldErrors(save.error, undefined, roles, limits)).length > 0;
  const cents = parseDollars(form.amount);
  const word = KIND_WORD[form.kind];

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
                ? `Your limit for credits is ${money(limit)}`
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
