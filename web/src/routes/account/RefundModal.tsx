import { Alert, Button, Group, Modal, NativeSelect, Radio, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { type Address, fetchAccount } from "../../api/accounts.js";
import { approverFor, fetchApprovalLimits, ownLimit } from "../../api/adjustments.js";
import { ApiError } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";
import {
  EXCEEDS_CREDIT_RULE,
  fetchRefundReasons,
  type RefundMethod,
  type RefundRequest,
  type RefundResult,
  requestRefund,
} from "../../api/refunds.js";
import { useCurrentUser } from "../../user.js";
import { useMoneyAttempt } from "./attempt.js";
import { addressLine } from "./format.js";
import { dollarsText, money, parseDollars } from "./money.js";
import { refreshMoney } from "./refresh.js";

interface Form {
  amount: string;
  method: RefundMethod;
  reason: string;
  note: string;
  token: string;
  last4: string;
}
type Field = "amount" | "method" | "reason" | "note" | "token" | "last4";
type Errors = Partial<Record<Field, string>>;

const API_FIELD: Record<string, Field> = {
  amount_cents: "amount",
  method: "method",
  reason: "reason",
  note: "note",
  processor_token: "token",
  account_last4: "last4",
};

const METHOD_WORDS: Record<RefundMethod, string> = { check: "check", ach: "ACH" };

/** The form's fields checked here (the server checks again): an amount the credit covers, a reason, ACH details. */
function check(form: Form, credit: bigint): { errors: Errors; body?: RefundRequest } {
  const errors: Errors = {};
  const cents = parseDollars(form.amount);
  if (cents === null) errors.amount = "An amount in dollars and cents, like 20.00";
  else if (cents <= 0n) errors.amount = "More than zero";
  else if (cents > credit) errors.amount = `At most the credit balance, ${money(credit)}`;
  if (!form.reason) errors.reason = "Choose a reason";
  if (form.method === "ach") {
    if (!/^[\w.:-]{6,200}$/.test(form.token.trim())) errors.token = "The bank account's token from the processor";
    if (!/^\d{4}$/.test(form.last4.trim())) errors.last4 = "Exactly four digits";
  }
  if (Object.keys(errors).length > 0 || cents === null) return { errors };
  const note = form.note.trim();
  return {
    errors,
    body: {
      amount_cents: Number(cents),
      method: form.method,
      reason: form.reason,
      ...(note ? { note } : {}),
      ...(form.method === "ach" ? { processor_token: form.token.trim(), account_last4: form.last4.trim() } : {}),
    },
  };
}

/** The server's refusal on the form's fields: more than the credit balance at the amount. */
function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  if (err.status === 422 && err.problem.rule === EXCEEDS_CREDIT_RULE) {
    const raw = err.problem.credit_balance_cents;
    const credit = typeof raw === "number" && Number.isSafeInteger(raw) ? raw : 0;
    errors.amount =
      credit > 0 ? `More than the credit balance, ${money(credit)}` : "The account has no credit to refund";
    return errors;
  }
  for (const e of err.problem.errors ?? []) {
    const field = API_FIELD[e.field];
    if (field) errors[field] = e.message;
  }
  return errors;
}

/** What the refund did, for the line above the account's adjustments and refunds. */
function outcome(result: RefundResult, approver: (cents: bigint) => string): string {
  if ("approval_request" in result) {
    const r = result.refund;
    return `Waiting for approval by ${approver(BigInt(r.amount_cents))}: ${money(r.amount_cents)} refund by ${METHOD_WORDS[r.method]}`;
  }
  const to = result.method === "check" ? `check to ${result.payee_name}` : `ACH to the account ending ${result.last4}`;
  return `Refund of ${money(result.amount_cents)} by ${to} made, refund ${result.id}. The balance is now ${money(result.balance_cents)}.`;
}

/**
 * Refund the account's credit balance: the amount (the whole credit filled in), check to the mailing address or
 * ACH to a bank account the processor holds as a token, a reason by its first letter, a note. Ctrl+Enter sends
 * from any field. Each attempt carries its own Idempotency-Key, reused on a retry after a lost answer. Above the
 * person's limit the refund waits for approval, and the dialog closes saying so.
 */
export function RefundModal({
  accountId,
  creditCents,
  opened,
  onClose,
}: {
  accountId: number;
  /** The credit balance (a positive amount): what may be refunded. */
  creditCents: Cents;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const { roles } = useCurrentUser();
  const credit = BigInt(creditCents);
  const reasons = useQuery({
    queryKey: ["refund-reasons"],
    queryFn: ({ signal }) => fetchRefundReasons(signal),
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
  // The account page has it already: who the check is made out to, and where it goes.
  const account = useQuery({
    queryKey: ["account", accountId],
    queryFn: ({ signal }) => fetchAccount(accountId, signal),
    enabled: opened,
  }).data;
  const payee = account?.customer?.display_name;
  // The view gives the address bills go to: the account's own, else the customer's.
  const address = (account?.mailing_address as Address | null | undefined) ?? null;
  const limit = ownLimit(roles, limits);
  const blank = (): Form => ({
    amount: dollarsText(credit),
    method: "check",
    reason: "",
    note: "",
    token: "",
    last4: "",
  });
  const [form, setForm] = useState<Form>(blank);
  const [errors, setErrors] = useState<Errors>({});
  const fields = {
    amount: useRef<HTMLInputElement>(null),
    reason: useRef<HTMLSelectElement>(null),
    token: useRef<HTMLInputElement>(null),
    last4: useRef<HTMLInputElement>(null),
  };
  const sendButton = useRef<HTMLButtonElement>(null);
  const attempt = useMoneyAttempt<RefundRequest>();
  const client = useQueryClient();
  const focusFirst = (found: Errors) => {
    if (found.amount) fields.amount.current?.focus();
    else if (found.token) fields.token.current?.focus();
    else if (found.last4) fields.last4.current?.focus();
    else if (found.reason) fields.reason.current?.focus();
  };
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: RefundRequest }) => requestRefund(accountId, body, key),
    onSuccess: async (result) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(outcome(result, (cents) => approverFor(cents, roles, limits)));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      setErrors(found);
      focusFirst(found);
    },
  });
  // Each opening starts a new refund, with the whole credit filled in.
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

  // A field's refusal goes once the person changes it: what it said was about the value that was there.
  const set = <K extends keyof Form>(field: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((e) => (field in e ? { ...e, [field]: undefined } : e));
  };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const checked = check(form, credit);
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
  const cents = parseDollars(form.amount);
  const forApproval = cents !== null && limit !== undefined && limit !== null && cents > limit;

  return (
    <Modal opened={opened} onClose={() => onClose()} title="Refund the credit balance" size="lg">
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Refund the credit balance">
        <Stack gap="sm">
          {attempt.uncertain ? (
            <Alert color="yellow" role="alert" title="Not sure the refund was made">
              {save.error?.message}. Ctrl+Enter sends the same refund again: it is never made twice.
            </Alert>
          ) : (
            save.isError &&
            !explained && (
              <Alert color="red" role="alert" title="Not made">
                {save.error.message}
              </Alert>
            )
          )}
          <Text size="sm">
            Credit balance: <b>{money(credit)}</b>
          </Text>
          <TextInput
            ref={fields.amount}
            data-autofocus
            label="Amount"
            description={
              !errors.amount && limit !== undefined && limit !== null
                ? `Your limit for refunds is ${money(limit)}; a larger one waits for approval`
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
          <Radio.Group
            label="Pay by"
            value={form.method}
            error={errors.method}
            onChange={(v) => set("method", v as RefundMethod)}
          >
            <Group gap="xl" mt={4}>
              <Radio
                value="check"
                label="Check"
                description={payee && address ? `To ${payee}, ${addressLine(address)}` : "To the mailing address"}
                disabled={attempt.uncertain}
              />
              <Radio
                value="ach"
                label="ACH"
                description="To a bank account the processor holds"
                disabled={attempt.uncertain}
              />
            </Group>
          </Radio.Group>
          {form.method === "ach" && (
            <Group grow align="flex-start">
              <TextInput
                ref={fields.token}
                label="Bank account token"
                description="From the processor; never the account number"
                autoComplete="off"
                required
                readOnly={locked}
                value={form.token}
                error={errors.token}
                onChange={(e) => set("token", e.currentTarget.value)}
              />
              <TextInput
                ref={fields.last4}
                label="Last four digits"
                inputMode="numeric"
                autoComplete="off"
                maxLength={4}
                required
                readOnly={locked}
                value={form.last4}
                error={errors.last4}
                onChange={(e) => set("last4", e.currentTarget.value)}
              />
            </Group>
          )}
          <NativeSelect
            ref={fields.reason}
            label="Reason"
            required
            disabled={attempt.uncertain}
            data={[
              {
                value: "",
                label: reasons.isPending ? "Loading the reasons…" : "Choose a reason (type its first letter)",
              },
              ...(reasons.data ?? []).map((r) => ({ value: r.code, label: r.label })),
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
              Ctrl+Enter sends
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
                      ? `Refund ${money(cents)}`
                      : "Refund"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
