import { Alert, Button, Group, Modal, SimpleGrid, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { ApiError } from "../../api/client.js";
import { type CloseRequest, closeDrawer, type Drawer, drawerKeys } from "../../api/drawers.js";
import { useMoneyAttempt } from "../account/attempt.js";
import { money, parseDollars } from "../account/money.js";
import { overShortColor, overShortText } from "./words.js";

type Field = "cash" | "check" | "checkCount" | "money_order" | "moneyOrderCount" | "note";
type Form = Record<Field, string>;
const EMPTY: Form = { cash: "", check: "", checkCount: "", money_order: "", moneyOrderCount: "", note: "" };
const AMOUNT = "Dollars and cents, at most two decimals, like 195.00";

/** The server's field names, as this form's. */
const SERVER_FIELD: Record<string, Field> = {
  "counts.cash.counted_cents": "cash",
  "counts.check.counted_cents": "check",
  "counts.check.count": "checkCount",
  "counts.money_order.counted_cents": "money_order",
  "counts.money_order.count": "moneyOrderCount",
  note: "note",
};

const count = (text: string): number | null | undefined => {
  if (!text.trim()) return undefined;
  return /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : null;
};

/** The counts as typed, checked: each amount dollars and cents, each number of items a whole number. */
function read(form: Form) {
  const errors: Partial<Record<Field, string>> = {};
  const cents = {
    cash: parseDollars(form.cash),
    check: parseDollars(form.check),
    money_order: parseDollars(form.money_order),
  };
  for (const f of ["cash", "check", "money_order"] as const) {
    if (cents[f] === null) errors[f] = form[f].trim() ? AMOUNT : "Required: 0 when there are none";
  }
  const checks = count(form.checkCount);
  const moneyOrders = count(form.moneyOrderCount);
  if (checks === null) errors.checkCount = "A whole number";
  if (moneyOrders === null) errors.moneyOrderCount = "A whole number";
  return { errors, cents, checks, moneyOrders };
}

/**
 * Closes the drawer: the cashier types what they counted by tender (cash with the float, checks, money orders, and
 * optionally how many checks and money orders); each field shows what is expected, and the over/short is worked
 * out as they type. When it is over or short a note is required. Ctrl+Enter closes.
 */
export function CloseDrawerModal({
  drawer,
  opened,
  onClose,
}: {
  drawer: Drawer;
  opened: boolean;
  onClose: (closed?: Drawer) => void;
}) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const attempt = useMoneyAttempt<CloseRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: CloseRequest }) => closeDrawer(drawer.id, body, key),
    onSuccess: (closed) => {
      attempt.settle();
      void client.invalidateQueries({ queryKey: drawerKeys.all });
      onClose(closed);
    },
    onError: (err) => {
      attempt.settle(err);
      if (!(err instanceof ApiError)) return;
      const next: Partial<Record<Field, string>> = {};
      for (const e of err.problem.errors ?? []) if (SERVER_FIELD[e.field]) next[SERVER_FIELD[e.field]!] = e.message;
      setErrors(next);
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setForm(EMPTY);
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);

  const expected = (type: string) => drawer.totals.find((t) => t.tender_type === type);
  const typed = read(form);
  const complete = typed.cents.cash !== null && typed.cents.check !== null && typed.cents.money_order !== null;
  const counted = complete ? typed.cents.cash! + typed.cents.check! + typed.cents.money_order! : null;
  const overShort = counted === null ? null : counted - BigInt(drawer.expected_cents);
  const needsNote = overShort !== null && overShort !== 0n;
  const set = (field: Field, value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    // A field being corrected stops showing its error; the next attempt checks it again.
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const next = { ...typed.errors };
    if (needsNote && !form.note.trim()) next.note = "Say why the drawer is over or short";
    setErrors(next);
    if (Object.keys(next).length > 0 || !complete) return;
    const body: CloseRequest = {
      counts: {
        cash: { counted_cents: Number(typed.cents.cash) },
        check: { counted_cents: Number(typed.cents.check), ...(typed.checks != null ? { count: typed.checks } : {}) },
        money_order: {
          counted_cents: Number(typed.cents.money_order),
          ...(typed.moneyOrders != null ? { count: typed.moneyOrders } : {}),
        },
      },
      ...(form.note.trim() ? { note: form.note.trim() } : {}),
      version: drawer.version,
    };
    save.mutate(attempt.next(body));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const locked = attempt.uncertain || save.isPending;
  const amount = (field: "cash" | "check" | "money_order", label: string, description: string, focus = false) => (
    <TextInput
      data-autofocus={focus || undefined}
      label={label}
      description={description}
      leftSection="$"
      inputMode="decimal"
      required
      autoComplete="off"
      readOnly={locked}
      value={form[field]}
      error={errors[field]}
      onChange={(e) => set(field, e.currentTarget.value)}
    />
  );
  const items = (field: "checkCount" | "moneyOrderCount", label: string, description: string) => (
    <TextInput
      label={label}
      description={description}
      inputMode="numeric"
      autoComplete="off"
      readOnly={locked}
      value={form[field]}
      error={errors[field]}
      onChange={(e) => set(field, e.currentTarget.value)}
    />
  );
  const cash = expected("cash");
  const checks = expected("check");
  const moneyOrders = expected("money_order");
  const unexplained = save.isError && !Object.values(errors).some(Boolean);

  return (
    <Modal opened={opened} onClose={() => onClose()} title={`Close drawer ${drawer.id}`} size="lg">
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label={`Close drawer ${drawer.id}`}>
        <Stack gap="sm">
          <Text size="sm">
            Count the drawer and type what is there. Cash includes the {money(drawer.float_cents)} float, which goes
            back to the change fund; the rest goes to the bank.
          </Text>
          {unexplained && (
            <Alert color={attempt.uncertain ? "yellow" : "red"} role="alert" title="Not closed">
              {save.error?.message}
              {attempt.uncertain ? ". Ctrl+Enter sends the same count again: the drawer never closes twice." : ""}
            </Alert>
          )}
          {amount("cash", "Cash counted", `Expected ${money(cash?.expected_cents ?? 0)}, with the float`, true)}
          <SimpleGrid cols={2}>
            {amount("check", "Checks counted", `Expected ${money(checks?.expected_cents ?? 0)}`)}
            {items("checkCount", "Number of checks", `Optional; expected ${checks?.taken_count ?? 0}`)}
            {amount("money_order", "Money orders counted", `Expected ${money(moneyOrders?.expected_cents ?? 0)}`)}
            {items("moneyOrderCount", "Number of money orders", `Optional; expected ${moneyOrders?.taken_count ?? 0}`)}
          </SimpleGrid>
          <Text aria-live="polite" data-testid="over-short" fw={600} c={overShortColor(overShort)}>
            {counted === null
              ? `Expected in the drawer ${money(drawer.expected_cents)}`
              : `Expected ${money(drawer.expected_cents)}, counted ${money(counted)}: ${overShortText(overShort)}`}
          </Text>
          {needsNote && (
            <Textarea
              label={`Why is the drawer ${overShort! < 0n ? "short" : "over"}?`}
              description="Required when the count differs; the supervisor reads it at sign-off"
              required
              autosize
              minRows={2}
              maxLength={1000}
              readOnly={locked}
              value={form.note}
              error={errors.note}
              onChange={(e) => set("note", e.currentTarget.value)}
            />
          )}
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter closes the drawer
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {attempt.uncertain ? "Send again" : "Close drawer"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
