import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { type Payment, type PaymentSummary, transferPayment } from "../../api/payments.js";
import { type SearchResult, searchAccounts } from "../../api/search.js";
import { useMoneyAttempt } from "./attempt.js";
import { dollarsText, money, parseDollars } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Body = { from_account_id: number; to_account_id: number; amount_cents: number; reason: string };
type Errors = Partial<Record<"to" | "amount" | "reason", string>>;

/** The account with exactly this number, found through search; null when there is none. */
async function accountByNumber(number: string): Promise<SearchResult | null> {
  const { results } = await searchAccounts(number, 5);
  return results.find((r) => r.account_number === number) ?? null;
}

/**
 * Transfer a payment posted to the wrong account: the other account's number, the amount (all of the payment's
 * money here unless changed) and why. Ctrl+Enter finds the account and asks to confirm, naming it; Enter (or
 * Ctrl+Enter) on the confirmation moves the money.
 */
export function TransferModal({
  payment,
  accountId,
  accountNumber,
  onClose,
}: {
  payment: PaymentSummary | null;
  accountId: number;
  accountNumber: string;
  onClose: (done?: string) => void;
}) {
  const opened = payment !== null;
  const [shown, setShown] = useState<PaymentSummary | null>(payment);
  if (payment && payment !== shown) setShown(payment);
  const [to, setTo] = useState("");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [target, setTarget] = useState<{ account: SearchResult; body: Body } | null>(null);
  const [finding, setFinding] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const attempt = useMoneyAttempt<Body>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: Body }) => transferPayment(shown!.id, body, key),
    onSuccess: async (p: Payment, { body }) => {
      attempt.settle();
      await refreshMoney(client, [accountId, body.to_account_id]);
      onClose(`Moved ${money(body.amount_cents)} of payment ${p.id} to account ${target?.account.account_number}.`);
    },
    onError: (err) => attempt.settle(err),
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!payment) return;
    setTo("");
    setAmount(dollarsText(payment.account_amount_cents));
    setReason("");
    setErrors({});
    setTarget(null);
    attempt.reset();
    save.reset();
  }, [opened]);
  useEffect(() => {
    if (target) confirmButton.current?.focus();
  }, [target]);

  /** First step: check the fields and find the other account, then ask to confirm. */
  const find = async () => {
    const found: Errors = {};
    const number = to.replace(/\D/g, "");
    if (!/^\d{10}$/.test(number)) found.to = "The other account's 10-digit number";
    else if (number === accountNumber) found.to = "That is this account: give the account it belongs on";
    const cents = parseDollars(amount);
    if (cents === null || cents <= 0n) found.amount = "An amount in dollars and cents, more than zero";
    else if (shown && cents > BigInt(shown.account_amount_cents)) {
      found.amount = `At most ${money(shown.account_amount_cents)}: what of this payment is on this account`;
    }
    if (!reason.trim()) found.reason = "Say why (posted to the wrong account, ...)";
    setErrors(found);
    if (Object.keys(found).length > 0 || cents === null) return;
    setFinding(true);
    try {
      const account = await accountByNumber(number);
      if (!account) return setErrors({ to: `There is no account ${number}` });
      setTarget({
        account,
        body: {
          from_account_id: accountId,
          to_account_id: account.account_id,
          amount_cents: Number(cents),
          reason: reason.trim(),
        },
      });
    } catch (err) {
      setErrors({ to: `The account could not be looked up: ${(err as Error).message}` });
    } finally {
      setFinding(false);
    }
  };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending || finding) return;
    if (target) save.mutate(attempt.next(target.body));
    else void find();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const back = () => {
    if (attempt.uncertain) return;
    setTarget(null);
    save.reset();
  };

  return (
    // The payment history puts focus where it belongs when this closes (the line saying what happened).
    <Modal opened={opened} onClose={() => onClose()} title="Transfer a payment" size="lg" returnFocus={false}>
      {shown && (
        <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Transfer a payment">
          <Stack gap="sm">
            <Text>
              Payment {shown.id}: {money(shown.total_cents)} by {shown.tenders.map((t) => t.description).join(", ")};{" "}
              {money(shown.account_amount_cents)} of it is on this account.
            </Text>
            <TextInput
              data-autofocus
              label="To account number"
              inputMode="numeric"
              autoComplete="off"
              required
              readOnly={target !== null}
              value={to}
              error={errors.to}
              onChange={(e) => setTo(e.currentTarget.value)}
            />
            <Group grow align="flex-start">
              <TextInput
                label="Amount"
                leftSection="$"
                inputMode="decimal"
                autoComplete="off"
                required
                readOnly={target !== null}
                value={amount}
                error={errors.amount}
                onFocus={(e) => e.currentTarget.select()}
                onChange={(e) => setAmount(e.currentTarget.value)}
              />
              <TextInput
                label="Reason"
                autoComplete="off"
                required
                maxLength={400}
                readOnly={target !== null}
                value={reason}
                error={errors.reason}
                onChange={(e) => setReason(e.currentTarget.value)}
              />
            </Group>
            {save.isError && (
              <Alert color={attempt.uncertain ? "yellow" : "red"} role="alert" title="Not transferred">
                {save.error.message}
                {attempt.uncertain ? ". Ctrl+Enter sends the same transfer again: it never happens twice." : ""}
              </Alert>
            )}
            {target ? (
              <Alert color="blue" title="Confirm the transfer" role="status">
                Move {money(target.body.amount_cents)} of payment {shown.id} from this account to account{" "}
                <b>{target.account.account_number}</b>, {target.account.name}
                {target.account.service_address ? ` (${target.account.service_address})` : ""}?
              </Alert>
            ) : null}
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed">
                {target ? "Enter transfers" : "Ctrl+Enter finds the account"}
              </Text>
              <Group>
                {target ? (
                  <Button variant="default" onClick={back}>
                    Back
                  </Button>
                ) : (
                  <Button variant="default" onClick={() => onClose()}>
                    Cancel
                  </Button>
                )}
                <Button type="submit" ref={confirmButton} loading={save.isPending || finding}>
                  {target ? `Transfer ${money(target.body.amount_cents)}` : "Find the account"}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
