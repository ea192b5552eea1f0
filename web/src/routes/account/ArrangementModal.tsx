import { Alert, Button, Group, Modal, NativeSelect, Stack, Table, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { type Arrangement, type ArrangementRequest, makeArrangement } from "../../api/collections.js";
import { useMoneyAttempt } from "./attempt.js";
import { installmentsOf, money, parseDollars } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Field = "kind" | "down_payment_cents" | "installments" | "first_due" | "pay_by";
type Errors = Partial<Record<Field, string>>;

/** A month later, as the server counts it (the last day of a shorter month when the day does not exist). */
function addMonths(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** The schedule the server will make: the down payment today, then equal installments, the first with the remainder. */
function preview(arrears: bigint, down: bigint, n: number, first: string, today: string) {
  const rows = installmentsOf(arrears - down, n).map((amount, i) => ({
    seq: i + 1,
    due_on: addMonths(first, i),
    amount,
  }));
  return down > 0n ? [{ seq: 0, due_on: today, amount: down }, ...rows] : rows;
}

function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) errors[e.field as Field] = e.message;
  return errors;
}

/** What was made, for the line at the top of the collections section. */
export const arrangementOutcome = (a: Arrangement) =>
  a.explanation.replace(/^(Payment arrangement|Extension)/, `$1 ${a.id} made`);

/**
 * Make a payment arrangement or an extension over what is past due: the kind (a or e), the down payment in dollars,
 * the months (up to policy's), the first installment's date, with the schedule shown as it will be; or the day to
 * pay by. Enter on a field or Ctrl+Enter sends it; a refusal names the rule at its field.
 */
export function ArrangementModal({
  accountId,
  opened,
  onClose,
  arrearsCents,
  today,
  maxMonths,
  maxDays,
}: {
  accountId: number;
  opened: boolean;
  onClose: (done?: string) => void;
  arrearsCents: bigint;
  today: string;
  maxMonths: number;
  maxDays: number;
}) {
  const [kind, setKind] = useState<"arrangement" | "extension">("arrangement");
  const [down, setDown] = useState("");
  const [months, setMonths] = useState("3");
  const [firstDue, setFirstDue] = useState("");
  const [payBy, setPayBy] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    kind: useRef<HTMLSelectElement>(null),
    down_payment_cents: useRef<HTMLInputElement>(null),
    installments: useRef<HTMLSelectElement>(null),
    first_due: useRef<HTMLInputElement>(null),
    pay_by: useRef<HTMLInputElement>(null),
  };
  const attempt = useMoneyAttempt<ArrangementRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: ArrangementRequest }) => makeArrangement(accountId, body, key),
    onSuccess: async (a) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(arrangementOutcome(a));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      if (err instanceof ApiError && err.status === 422 && Object.keys(found).length === 0) {
        found.kind = err.problem.detail ?? err.message;
      }
      setErrors(found);
      const first = (Object.keys(found) as Field[])[0];
      if (first) refs[first].current?.focus();
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setKind("arrangement");
    setDown("");
    setMonths(String(Math.min(3, maxMonths)));
    setFirstDue(addMonths(today, 1));
    setPayBy("");
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);

  const downCents = down.trim() === "" ? 0n : parseDollars(down);
  const n = Number(months);
  const schedule =
    kind === "arrangement" && downCents !== null && downCents < arrearsCents && /^\d{4}-\d{2}-\d{2}$/.test(firstDue)
      ? preview(arrearsCents, downCents, n, firstDue, today)
      : [];

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    if (kind === "extension") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(payBy)) {
        setErrors({ pay_by: "A date YYYY-MM-DD" });
        refs.pay_by.current?.focus();
        return;
      }
      save.mutate(attempt.next({ kind, pay_by: payBy }));
      return;
    }
    if (downCents === null) {
      setErrors({ down_payment_cents: "Dollars and cents, such as 60 or 60.00" });
      refs.down_payment_cents.current?.focus();
      return;
    }
    save.mutate(
      attempt.next({
        kind,
        installments: n,
        first_due: firstDue,
        ...(downCents > 0n ? { down_payment_cents: Number(downCents) } : {}),
      }),
    );
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const onChoice = event.target instanceof HTMLSelectElement && !event.altKey && !event.shiftKey;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey || onChoice)) {
      event.preventDefault();
      submit();
    }
  };
  const clear = (f: Field) => setErrors((x) => ({ ...x, [f]: undefined }));
  const locked = attempt.uncertain || save.isPending;

  return (
    <Modal opened={opened} onClose={() => onClose()} title="Payment arrangement" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Payment arrangement">
        <Stack gap="sm">
          {attempt.uncertain && (
            <Alert color="yellow" role="alert" title="Not sure the arrangement was made">
              {save.error?.message}. Ctrl+Enter sends it again: a second arrangement is refused, never made twice.
            </Alert>
          )}
          <Text size="sm">
            Past due and collectible today: <strong>{money(arrearsCents)}</strong>
          </Text>
          <NativeSelect
            ref={refs.kind}
            label="Kind"
            data={[
              {
                value: "arrangement",
                label: `Arrangement: a down payment, then up to ${maxMonths} monthly installments`,
              },
              { value: "extension", label: `Extension: more time to pay it all, up to ${maxDays} days` },
            ]}
            value={kind}
            error={errors.kind}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setKind(e.currentTarget.value as "arrangement" | "extension");
              clear("kind");
            }}
          />
          {kind === "arrangement" ? (
            <>
              <TextInput
                ref={refs.down_payment_cents}
                data-autofocus
                label="Down payment today"
                description="In dollars; empty for none"
                inputMode="decimal"
                autoComplete="off"
                value={down}
                error={errors.down_payment_cents}
                disabled={attempt.uncertain}
                onChange={(e) => {
                  setDown(e.currentTarget.value);
                  clear("down_payment_cents");
                }}
              />
              <NativeSelect
                ref={refs.installments}
                label="Monthly installments"
                description={`Up to ${maxMonths} (policy)`}
                data={Array.from({ length: maxMonths }, (_, i) => String(i + 1))}
                value={months}
                error={errors.installments}
                disabled={attempt.uncertain}
                onChange={(e) => {
                  setMonths(e.currentTarget.value);
                  clear("installments");
                }}
              />
              <TextInput
                ref={refs.first_due}
                label="First installment due"
                description="YYYY-MM-DD"
                autoComplete="off"
                value={firstDue}
                error={errors.first_due}
                disabled={attempt.uncertain}
                onChange={(e) => {
                  setFirstDue(e.currentTarget.value);
                  clear("first_due");
                }}
              />
              {schedule.length > 0 && (
                <Table withTableBorder aria-label="Schedule" fz="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Due</Table.Th>
                      <Table.Th style={{ textAlign: "right" }}>Amount</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {schedule.map((s) => (
                      <Table.Tr key={s.seq}>
                        <Table.Td>{s.seq === 0 ? `${s.due_on} (down payment)` : s.due_on}</Table.Td>
                        <Table.Td style={{ textAlign: "right" }}>{money(s.amount)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </>
          ) : (
            <TextInput
              ref={refs.pay_by}
              label="Pay by"
              description={`YYYY-MM-DD, at most ${maxDays} days from today`}
              autoComplete="off"
              value={payBy}
              error={errors.pay_by}
              disabled={attempt.uncertain}
              onChange={(e) => {
                setPayBy(e.currentTarget.value);
                clear("pay_by");
              }}
            />
          )}
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter makes it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={locked && !attempt.uncertain}>
                {attempt.uncertain ? "Send again" : kind === "extension" ? "Give extension" : "Make arrangement"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
