import { Alert, Anchor, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";
import {
  fetchCashOnlyRefusedTenders,
  PAYMENT_CHANNELS,
  type Payment,
  type PaymentRequest,
  receiptUrl,
  takePayment,
} from "../../api/payments.js";
import { useMoneyAttempt } from "./attempt.js";
import { words } from "./format.js";
import { dollarsText, money, parseDollars } from "./money.js";
import { refreshMoney } from "./refresh.js";

type TenderType = "check" | "money_order";
interface Form {
  amount: string;
  tender: TenderType;
  number: string;
  channel: PaymentRequest["channel"];
  note: string;
}
type Errors = Partial<Record<"amount" | "tender" | "number", string>>;

const TENDERS: { value: TenderType; label: string }[] = [
  { value: "check", label: "Check" },
  { value: "money_order", label: "Money order" },
];
const TENDER_WORDS: Record<string, string> = { check: "check", money_order: "money order", card: "card", ach: "ACH" };
const NUMBER_LABEL: Record<TenderType, string> = { check: "Check number", money_order: "Money order serial number" };

/** The form's fields checked here (the server checks again): an amount of cents above zero, a tender number. */
function check(form: Form): { errors: Errors; body?: PaymentRequest } {
  const errors: Errors = {};
  const cents = parseDollars(form.amount);
  if (cents === null) errors.amount = "An amount in dollars and cents, like 84.20";
  else if (cents <= 0n) errors.amount = "More than zero";
  const number = form.number.trim();
  const longest = form.tender === "check" ? 20 : 30;
  if (!new RegExp(`^[\\w-]{1,${longest}}$`).test(number)) errors.number = `1-${longest} letters, digits or dashes`;
  if (Object.keys(errors).length > 0 || cents === null) return { errors };
  const tender =
    form.tender === "check"
      ? { type: "check" as const, check_number: number }
      : { type: "money_order" as const, serial_number: number };
  const note = form.note.trim();
  return {
    errors,
    body: { account_id: 0, amount_cents: Number(cents), tender, channel: form.channel, ...(note ? { note } : {}) },
  };
}

/** The server's field errors on the form's fields. */
function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) {
    if (e.field === "amount_cents") errors.amount = e.message;
    if (e.field === "tender.type") errors.tender = `${e.message}: ${err.message}`;
    if (/^tender\.(check_number|serial_number)$/.test(e.field)) errors.number = e.message;
  }
  return errors;
}

/** What the payment did, with its receipt: shown in place of the form once it is posted. */
function Posted({ payment, accountId, onClose }: { payment: Payment; accountId: number; onClose: () => void }) {
  const here = payment.accounts.find((a) => a.account_id === accountId);
  const done = useRef<HTMLButtonElement>(null);
  // The form (and the field that had focus) is gone: focus goes to Done, the receipt link one Shift+Tab away.
  useEffect(() => done.current?.focus(), []);
  return (
    <Stack gap="sm">
      <Alert color="green" title="Payment posted" role="status">
        {money(payment.total_cents)} by {payment.tenders.map((t) => t.description).join(", ")}, payment {payment.id}.
        {here ? ` The balance is now ${money(here.balance_cents)}.` : ""}
      </Alert>
      <Group justify="space-between">
        <Anchor href={receiptUrl(payment.id)} target="_blank" rel="noopener">
          Open the receipt (PDF)
        </Anchor>
        <Button ref={done} onClick={onClose}>
          Done
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * Take a payment: amount (the amount due, selected, so typing replaces it), tender (check unless changed) and its
 * number, channel (phone unless changed). Ctrl+Enter posts from any field. Each attempt carries its own
 * Idempotency-Key; a retry after a lost answer sends the same one, so the money never posts twice.
 */
export function PaymentModal({
  accountId,
  amountDueCents,
  cashOnly,
  opened,
  onClose,
}: {
  accountId: number;
  amountDueCents: Cents | undefined;
  cashOnly: boolean;
  opened: boolean;
  onClose: () => void;
}) {
  // A cash-only account may not pay by some tenders (a setting): those are offered but marked, the first other one
  // is the default.
  const refused = useQuery({
    queryKey: ["cash-only-refused-tenders"],
    queryFn: ({ signal }) => fetchCashOnlyRefusedTenders(signal),
    enabled: cashOnly && opened,
    staleTime: 60_000,
  }).data;
  const barred = (t: TenderType) => cashOnly && (refused ?? ["check"]).includes(t);
  const usual = TENDERS.find((t) => !barred(t.value))?.value ?? "check";
  const blank = (): Form => ({
    amount: amountDueCents && amountDueCents > 0 ? dollarsText(amountDueCents) : "",
    tender: usual,
    number: "",
    channel: "phone",
    note: "",
  });
  const [form, setForm] = useState<Form>(blank);
  const [errors, setErrors] = useState<Errors>({});
  const [posted, setPosted] = useState<Payment | null>(null);
  const attempt = useMoneyAttempt<PaymentRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: PaymentRequest }) => takePayment(body, key),
    onSuccess: (payment) => {
      attempt.settle();
      setPosted(payment);
      void refreshMoney(client, [accountId]);
    },
    onError: (err) => {
      attempt.settle(err);
      setErrors(fieldErrors(err));
    },
  });
  // Each opening starts a new payment, with the amount due as it is now.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setForm(blank());
    setErrors({});
    setPosted(null);
    attempt.reset();
    save.reset();
  }, [opened]);

  // The refused tenders arrive after the dialog opened: move off a refused default.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the arrival of the setting matters
  useEffect(() => {
    if (refused) setForm((f) => (barred(f.tender) ? { ...f, tender: usual } : f));
  }, [refused]);

  const set = <K extends keyof Form>(field: K, value: Form[K]) => setForm((f) => ({ ...f, [field]: value }));
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending || posted) return;
    const checked = check(form);
    setErrors(checked.errors);
    if (!checked.body) return;
    save.mutate(attempt.next({ ...checked.body, account_id: accountId }));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const locked = attempt.uncertain || save.isPending;
  const unexplained = save.isError && Object.keys(fieldErrors(save.error)).length === 0;

  return (
    <Modal opened={opened} onClose={onClose} title="Take a payment" size="lg">
      {posted ? (
        <Posted payment={posted} accountId={accountId} onClose={onClose} />
      ) : (
        <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Take a payment">
          <Stack gap="sm">
            {cashOnly && (
              <Alert color="yellow" title="Cash only">
                This account is on cash-only status after returned payments
                {refused?.length ? `: it cannot pay by ${refused.map((t) => TENDER_WORDS[t] ?? t).join(" or ")}` : ""}.
              </Alert>
            )}
            {attempt.uncertain ? (
              <Alert color="yellow" role="alert" title="Not sure the payment was posted">
                {save.error?.message}. Ctrl+Enter sends the same payment again: it is never posted twice.
              </Alert>
            ) : (
              unexplained && (
                <Alert color="red" role="alert" title="Not posted">
                  {save.error?.message}
                </Alert>
              )
            )}
            <TextInput
              data-autofocus
              label="Amount"
              description={
                amountDueCents !== undefined ? `Amount due ${money(amountDueCents)}; type to change` : undefined
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
            <Group grow align="flex-start">
              <NativeSelect
                label="Tender"
                data={TENDERS.map((t) => ({
                  ...t,
                  label: barred(t.value) ? `${t.label} (not from a cash-only account)` : t.label,
                }))}
                disabled={locked}
                error={errors.tender}
                value={form.tender}
                onChange={(e) => set("tender", e.currentTarget.value as TenderType)}
              />
              <TextInput
                label={NUMBER_LABEL[form.tender]}
                required
                autoComplete="off"
                readOnly={locked}
                value={form.number}
                error={errors.number}
                onChange={(e) => set("number", e.currentTarget.value)}
              />
            </Group>
            <Group grow align="flex-start">
              <NativeSelect
                label="Received by"
                data={PAYMENT_CHANNELS.map((c) => ({ value: c, label: words(c) }))}
                disabled={locked}
                value={form.channel}
                onChange={(e) => set("channel", e.currentTarget.value as Form["channel"])}
              />
              <TextInput
                label="Note"
                autoComplete="off"
                maxLength={1000}
                readOnly={locked}
                value={form.note}
                onChange={(e) => set("note", e.currentTarget.value)}
              />
            </Group>
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed">
                Ctrl+Enter posts
              </Text>
              <Group>
                <Button variant="default" onClick={onClose}>
                  Cancel
                </Button>
                <Button type="submit" loading={save.isPending}>
                  {attempt.uncertain ? "Send again" : "Post payment"}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
