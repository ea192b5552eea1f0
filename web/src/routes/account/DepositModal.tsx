import { Alert, Button, Group, Modal, NativeSelect, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import {
  type CreditDecision,
  DEPOSIT_REASONS,
  type Deposit,
  type DepositReason,
  type DepositRequest,
  REASON_WORDS,
  requireDeposit,
} from "../../api/credit.js";
import { useMoneyAttempt } from "./attempt.js";
import { RuleLine } from "./dialog.js";
import { installmentsOf, money } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Errors = Partial<Record<"reason" | "installments", string>>;

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One choice of installments, with what each one is when the amount is known. */
function installmentLabel(n: number, amount: bigint | null): string {
  if (n === 1) return amount === null ? "All at once" : `All at once (${money(amount)})`;
  if (amount === null) return `${n} monthly installments`;
  const [first, rest] = installmentsOf(amount, n);
  return first === rest
    ? `${n} monthly installments of ${money(first!)}`
    : `${n} monthly installments: ${money(first!)}, then ${money(rest!)}`;
}

/** The server's refusal on the form's fields: policy's sentence at the reason, the installments out of range. */
function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) {
    if (e.field === "reason") errors.reason = e.message;
    if (e.field === "installments") errors.installments = e.message;
  }
  if (err.status === 422 && !errors.reason) errors.reason = err.problem.detail ?? err.message;
  return errors;
}

/** What was required, for the line at the top of the credit section. */
function outcome(d: Deposit): string {
  const how = d.installments === 1 ? "billed at once" : `billed in ${d.installments} monthly installments`;
  return `Deposit ${d.id} of ${money(BigInt(d.amount_cents))} required ${REASON_WORDS[d.reason] ?? d.reason}, ${how}: it is now on the account's balance.`;
}

/**
 * Require a deposit: the reason (preselected when policy requires a deposit to start service, with the sentence
 * that says why and how much, to read to the customer), then at once or in monthly installments up to policy's
 * maximum. Enter on a choice or Ctrl+Enter anywhere sends it. Policy decides again on the server: a refusal (good
 * credit, a letter of credit on file, a reason the profile forbids) is said at the reason, in policy's words.
 */
export function DepositModal({
  accountId,
  opened,
  onClose,
  decision,
  maxInstallments,
}: {
  accountId: number;
  opened: boolean;
  onClose: (done?: string) => void;
  /** The decision that a deposit to start service is required, when it is (and none is billed yet). */
  decision: CreditDecision | undefined;
  maxInstallments: number;
}) {
  const preselect: DepositReason | "" = decision ? "establishment" : "";
  const [reason, setReason] = useState<DepositReason | "">(preselect);
  const [installments, setInstallments] = useState("1");
  const [errors, setErrors] = useState<Errors>({});
  const reasonField = useRef<HTMLSelectElement>(null);
  const installmentsField = useRef<HTMLSelectElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const attempt = useMoneyAttempt<DepositRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: DepositRequest }) => requireDeposit(accountId, body, key),
    onSuccess: async (d) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(outcome(d));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      setErrors(found);
      if (found.reason) reasonField.current?.focus();
      else if (found.installments) installmentsField.current?.focus();
    },
  });
  // Each opening starts a new request, with the reason policy gives preselected.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setReason(preselect);
    setInstallments("1");
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);
  useEffect(() => {
    if (attempt.uncertain) sendButton.current?.focus();
  }, [attempt.uncertain]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    if (!reason) {
      setErrors({ reason: "Choose a reason" });
      reasonField.current?.focus();
      return;
    }
    const n = Number(installments);
    save.mutate(attempt.next({ reason, ...(n > 1 ? { installments: n } : {}) }));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    // A select does not submit its form on Enter by itself: here it does, as a text field would.
    const onChoice = event.target instanceof HTMLSelectElement && !event.altKey && !event.shiftKey;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey || onChoice)) {
      event.preventDefault();
      submit();
    }
  };
  const amount =
    reason === "establishment" && decision?.amount_cents ? BigInt(decision.amount_cents) : (null as bigint | null);
  const locked = attempt.uncertain || save.isPending;
  const explained = save.isError && Object.keys(fieldErrors(save.error)).length > 0;
  const counts = Array.from({ length: Math.max(1, maxInstallments) }, (_, i) => i + 1);

  return (
    // The credit section puts focus where it belongs when this closes (the line saying what happened).
    <Modal opened={opened} onClose={() => onClose()} title="Require a deposit" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Require a deposit">
        <Stack gap="sm">
          {attempt.uncertain ? (
            <Alert color="yellow" role="alert" title="Not sure the deposit was billed">
              {save.error?.message}. Ctrl+Enter sends it again: a deposit already billed for the reason is refused,
              never billed twice.
            </Alert>
          ) : (
            save.isError &&
            !explained && (
              <Alert color="red" role="alert" title="Not billed">
                {save.error.message}
              </Alert>
            )
          )}
          {decision && reason === "establishment" && (
            <div data-testid="deposit-sentence">
              <Text size="sm">{decision.explanation}</Text>
              <RuleLine rule={decision.rule_id} />
            </div>
          )}
          <NativeSelect
            ref={reasonField}
            data-autofocus={preselect ? undefined : true}
            label="Reason"
            required
            disabled={attempt.uncertain}
            data={[
              { value: "", label: "Choose a reason (type its first letter)" },
              ...DEPOSIT_REASONS.map((r) => ({ value: r, label: sentence(REASON_WORDS[r]) })),
            ]}
            value={reason}
            error={errors.reason}
            onChange={(e) => {
              setReason(e.currentTarget.value as DepositReason | "");
              setErrors((x) => ({ ...x, reason: undefined }));
            }}
          />
          <NativeSelect
            ref={installmentsField}
            data-autofocus={preselect ? true : undefined}
            label="Billed"
            description={
              maxInstallments > 1
                ? `At once, or in up to ${maxInstallments} monthly installments (policy)`
                : "At once (policy allows no installments)"
            }
            disabled={attempt.uncertain}
            data={counts.map((n) => ({ value: String(n), label: installmentLabel(n, amount) }))}
            value={installments}
            error={errors.installments}
            onChange={(e) => {
              setInstallments(e.currentTarget.value);
              setErrors((x) => ({ ...x, installments: undefined }));
            }}
          />
          {reason && reason !== "establishment" && (
            <Text size="sm" c="dimmed">
              Policy decides the amount when it is sent: a multiple of the estimated average monthly bill.
            </Text>
          )}
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Enter or Ctrl+Enter requires it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button ref={sendButton} type="submit" loading={locked && !attempt.uncertain}>
                {attempt.uncertain
                  ? "Send again"
                  : amount !== null
                    ? `Require ${money(amount)} deposit`
                    : "Require deposit"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
