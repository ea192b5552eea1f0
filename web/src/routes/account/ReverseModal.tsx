import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { fetchReversalReasons, type Payment, type PaymentSummary, reversePayment } from "../../api/payments.js";
import { useMoneyAttempt } from "./attempt.js";
import { money } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Body = { reason: string; note?: string };

/** What happened, for the line under the payment history. */
function outcome(p: Payment): string {
  const r = p.reversal;
  const fee = r?.fee_cents ? ` A returned-payment fee of ${money(r.fee_cents)} was added.` : "";
  return `Payment ${p.id} reversed (${r?.reason_label ?? "reversed"}).${fee}`;
}

/**
 * Reverse a payment: the dialog says what will happen (its money comes off every account it was posted to; a
 * returned one adds the returned-payment fee) and asks the reason before the red button does it.
 */
export function ReverseModal({
  payment,
  accountId,
  onClose,
}: {
  payment: PaymentSummary | null;
  accountId: number;
  onClose: (done?: string) => void;
}) {
  const reasons = useQuery({
    queryKey: ["reversal-reasons"],
    queryFn: ({ signal }) => fetchReversalReasons(signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [missing, setMissing] = useState(false);
  const opened = payment !== null;
  // The last payment stays shown while the dialog fades out.
  const [shown, setShown] = useState<PaymentSummary | null>(payment);
  if (payment && payment !== shown) setShown(payment);
  const attempt = useMoneyAttempt<Body>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: Body }) => reversePayment(shown!.id, body, key),
    onSuccess: async (p) => {
      attempt.settle();
      await refreshMoney(client, [accountId, ...p.accounts.map((a) => a.account_id)]);
      onClose(outcome(p));
    },
    onError: (err) => attempt.settle(err),
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setReason("");
    setNote("");
    setMissing(false);
    attempt.reset();
    save.reset();
  }, [opened]);

  const chosen = reasons.data?.reasons.find((r) => r.code === reason);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    if (!reason) return setMissing(true);
    save.mutate(attempt.next({ reason, ...(note.trim() ? { note: note.trim() } : {}) }));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const locked = attempt.uncertain || save.isPending;

  return (
    // The payment history puts focus where it belongs when this closes (the line saying what happened).
    <Modal opened={opened} onClose={() => onClose()} title="Reverse a payment" size="lg" returnFocus={false}>
      {shown && (
        <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Reverse a payment">
          <Stack gap="sm">
            <Text>
              Payment {shown.id}: <b>{money(shown.total_cents)}</b> by{" "}
              {shown.tenders.map((t) => t.description).join(", ")}, taken {shown.accounting_date} by {shown.taken_by}.
              Reversing takes its money off every account it was posted to: the balance goes up.
            </Text>
            {save.isError && (
              <Alert color={attempt.uncertain ? "yellow" : "red"} role="alert" title="Not reversed">
                {save.error.message}
                {attempt.uncertain ? ". Ctrl+Enter sends the same reversal again: it never happens twice." : ""}
              </Alert>
            )}
            <NativeSelect
              data-autofocus
              label="Reason"
              required
              disabled={locked}
              data={[
                { value: "", label: "Choose a reason (type its first letter)" },
                ...(reasons.data?.reasons ?? []).map((r) => ({ value: r.code, label: r.label })),
              ]}
              value={reason}
              error={missing && !reason ? "Choose a reason" : undefined}
              onChange={(e) => setReason(e.currentTarget.value)}
            />
            {chosen?.returned && (
              <Alert color="yellow" title="Returned payment">
                A returned payment adds the returned-payment fee to the account and counts toward cash-only status.
              </Alert>
            )}
            <TextInput
              label="Note"
              autoComplete="off"
              maxLength={1000}
              readOnly={locked}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
            />
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed">
                Ctrl+Enter reverses
              </Text>
              <Group>
                <Button variant="default" onClick={() => onClose()}>
                  Cancel
                </Button>
                <Button type="submit" color="red.9" loading={save.isPending}>
                  Reverse {money(shown.total_cents)}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
