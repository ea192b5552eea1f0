import { Alert, Anchor, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { type CounterPaymentRequest, drawerKeys, fetchCurrentDrawer, takeCounterPayment } from "../../api/drawers.js";
import type { Cents } from "../../api/ledger.js";
import { fetchCashOnlyRefusedTenders, PAYMENT_CHANNELS, type Payment, receiptUrl } from "../../api/payments.js";
import { useCan } from "../../user.js";
import { useMoneyAttempt } from "./attempt.js";
import { words } from "./format.js";
import { dollarsText, money, parseDollars } from "./money.js";
import { refreshMoney } from "./refresh.js";

type TenderType = "check" | "money_order" | "cash";
interface Form {
  amount: string;
  tender: TenderType;
  number: string;
  /** What the customer handed over in cash, to work out the change (only the amount is posted). */
  tendered: string;
  channel: CounterPaymentRequest["channel"];
  note: string;
}
type Errors = Partial<Record<"amount" | "tender" | "number" | "tendered", string>>;

const TENDERS: { value: TenderType; label: string }[] = [
  { value: "check", label: "Check" },
  { value: "money_order", label: "Money order" },
  { value: "cash", label: "Cash" },
];
const TENDER_WORDS: Record<string, string> = { check: "check", money_order: "money order", card: "card", ach: "ACH" };
const NUMBER_LABEL: Record<Exclude<TenderType, "cash">, string> = {
  check: "Check number",
  money_order: "Money order serial number",
};

/** The change due on cash: what was handed over less the amount, when both are amounts and it covers it. */
function changeDue(form: Form): bigint | null {
  const cents = parseDollars(form.amount);
  const tendered = parseDollars(form.tendered);
  if (form.tender !== "cash" || cents === null || tendered === null || tendered < cents) return null;
  return tendered - cents;
}

/**
 * The form's fields checked here (the server checks again): an amount of cents above zero, a tender number, for cash
 * what was handed over (optional; at least the amount).
 */
function check(form: Form, drawerId: number | null): { errors: Errors; body?: CounterPaymentRequest } {
  const errors: Errors = {};
  const cents = parseDollars(form.amount);
  if (cents === null) errors.amount = "An amount in dollars and cents, like 84.20";
  else if (cents <= 0n) errors.amount = "More than zero";
  const number = form.number.trim();
  if (form.tender === "cash") {
    const tendered = parseDollars(form.tendered);
    if (form.tendered.trim() && tendered === null) errors.tendered = "An amount in dollars and cents, like 100.00";
    else if (tendered !== null && cents !== null && tendered < cents) errors.tendered = "Less than the amount paid";
  } else {
    const longest = form.tender === "check" ? 20 : 30;
    if (!new RegExp(`^[\\w-]{1,${longest}}$`).test(number)) errors.number = `1-${longest} letters, digits or dashes`;
  }
  if (Object.keys(errors).length > 0 || cents === null) return { errors };
  const tender =
    form.tender === "cash"
      ? { type: "cash" as const }
      : form.tender === "check"
        ? { type: "check" as const, check_number: number }
        : { type: "money_order" as const, serial_number: number };
  const note = form.note.trim();
  return {
    errors,
    body: {
      account_id: 0,
      amount_cents: Number(cents),
      tender,
      channel: form.channel,
      ...(note ? { note } : {}),
      ...(drawerId !== null ? { drawer_id: drawerId } : {}),
    },
  };
}

/** The server's field errors on the form's fields. */
function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) {
    if (e.field === "amount_cents") errors.amount = e.message;
    if (e.field === "tender.type" || e.field === "drawer_id") errors.tender = `${e.message}: ${err.message}`;
    if (/^tender\.(check_number|serial_number)$/.test(e.field)) errors.number = e.message;
  }
  return errors;
}

/** What the payment did, with its receipt: shown in place of the form once it is posted. */
function Posted({
  payment,
  accountId,
  change,
  onClose,
}: {
  payment: Payment;
  accountId: number;
  change: bigint | null;
  onClose: () => void;
}) {
  const here = payment.accounts.find((a) => a.account_id === accountId);
  const done = useRef<HTMLButtonElement>(null);
  // The form (and the field that had focus) is gone: focus goes to Done, the receipt link one Shift+Tab away.
  useEffect(() => done.current?.focus(), []);
  return (
    <Stack gap="sm">
      <Alert color="green" title="Payment posted" role="status">
        {money(payment.total_cents)} by {payment.tenders.map((t) => t.description).join(", ")}, payment {payment.id}.
        {here ? ` The balance is now ${money(here.balance_cents)}.` : ""}
        {change !== null ? ` Change due ${money(change)}.` : ""}
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
 * number, channel (phone unless changed; the counter for a cashier with an open drawer). Ctrl+Enter posts from any
 * field. Cash is offered while the user has an open cash drawer: what the customer hands over shows the change due,
 * and only the amount is posted. Each attempt carries its own Idempotency-Key; a retry after a lost answer sends the
 * same one, so the money never posts twice.
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
  // Cash goes into the user's open cash drawer: offered only while they have one.
  const canUseDrawer = useCan("drawers.use");
  const drawer = useQuery({
    queryKey: drawerKeys.current,
    queryFn: ({ signal }) => fetchCurrentDrawer(signal),
    enabled: canUseDrawer && opened,
    retry: false,
    staleTime: 10_000,
  }).data;
  const drawerId = drawer?.status === "open" ? drawer.id : null;
  const tenders = TENDERS.filter((t) => t.value !== "cash" || drawerId !== null);
  const barred = (t: TenderType) => cashOnly && (refused ?? ["check"]).includes(t);
  const usual = tenders.find((t) => !barred(t.value))?.value ?? "check";
  const blank = (): Form => ({
    amount: amountDueCents && amountDueCents > 0 ? dollarsText(amountDueCents) : "",
    tender: usual,
    number: "",
    tendered: "",
    channel: drawerId !== null ? "counter" : "phone",
    note: "",
  });
  const [form, setForm] = useState<Form>(blank);
  const [errors, setErrors] = useState<Errors>({});
  const [posted, setPosted] = useState<{ payment: Payment; change: bigint | null } | null>(null);
  const attempt = useMoneyAttempt<CounterPaymentRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: CounterPaymentRequest }) => takeCounterPayment(body, key),
    onSuccess: (payment) => {
      attempt.settle();
      setPosted({ payment, change: changeDue(form) });
      void refreshMoney(client, [accountId]);
      void client.invalidateQueries({ queryKey: drawerKeys.all });
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

  // The drawer arrives after the dialog opened: a cashier at their drawer takes payments at the counter.
  useEffect(() => {
    if (drawerId !== null) setForm((f) => (f.channel === "phone" ? { ...f, channel: "counter" } : f));
  }, [drawerId]);

  const set = <K extends keyof Form>(field: K, value: Form[K]) => setForm((f) => ({ ...f, [field]: value }));
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending || posted) return;
    const checked = check(form, drawerId);
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
  const change = changeDue(form);

  return (
    <Modal opened={opened} onClose={onClose} title="Take a payment" size="lg">
      {posted ? (
        <Posted payment={posted.payment} accountId={accountId} change={posted.change} onClose={onClose} />
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
                data={tenders.map((t) => ({
                  ...t,
                  label: barred(t.value) ? `${t.label} (not from a cash-only account)` : t.label,
                }))}
                disabled={locked}
                error={errors.tender}
                value={form.tender}
                onChange={(e) => set("tender", e.currentTarget.value as TenderType)}
              />
              {form.tender === "cash" ? (
                <TextInput
                  label="Cash tendered"
                  description="What the customer hands over, for the change"
                  leftSection="$"
                  inputMode="decimal"
                  autoComplete="off"
                  readOnly={locked}
                  value={form.tendered}
                  error={errors.tendered}
                  onFocus={(e) => e.currentTarget.select()}
                  onChange={(e) => set("tendered", e.currentTarget.value)}
                />
              ) : (
                <TextInput
                  label={NUMBER_LABEL[form.tender]}
                  required
                  autoComplete="off"
                  readOnly={locked}
                  value={form.number}
                  error={errors.number}
                  onChange={(e) => set("number", e.currentTarget.value)}
                />
              )}
            </Group>
            {form.tender === "cash" && (
              <Text size="sm" fw={600} aria-live="polite" data-testid="change-due">
                {change !== null
                  ? `Change due ${money(change)}`
                  : `Cash goes into your drawer ${drawerId}; only the amount is posted.`}
              </Text>
            )}
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
