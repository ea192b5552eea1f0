import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { endLevelPay, enrolLevelPay, type LevelPay, levelPayKey } from "../../api/levelpay.js";
import { useMoneyAttempt } from "./attempt.js";
import { ctrlEnter, EnrolActions, NotEnrolled, Refusal, RuleLine } from "./dialog.js";
import { money } from "./money.js";
import { refreshMoney } from "./refresh.js";

/** A deferred balance in words: what the customer owes on it, or has to their credit. */
export function deferredWords(cents: number | bigint): string {
  const c = BigInt(cents);
  if (c > 0n) return `${money(c)} owed`;
  if (c < 0n) return `${money(-c)} in the customer's favour`;
  return money(0n);
}

/**
 * Enrol in level pay: the amount policy gives and the sentence that explains it, to read to the customer; Ctrl+Enter
 * (or Enter on the button, which has focus) enrols. When policy refuses, the sentence says why and the rule is named.
 */
export function EnrolLevelPayModal({
  accountId,
  data,
  opened,
  onClose,
}: {
  accountId: number;
  data: LevelPay;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const attempt = useMoneyAttempt<Record<string, never>>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key }: { key: string }) => enrolLevelPay(accountId, key),
    onSuccess: async (view) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      const plan = view.plan;
      onClose(
        plan
          ? `Enrolled in level pay at ${money(plan.level_cents)} a month; next review ${plan.next_review_on}, true-up ${plan.true_up_on}.`
          : "Enrolled in level pay.",
      );
    },
    onError: (err) => attempt.settle(err),
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    attempt.reset();
    save.reset();
  }, [opened]);

  const d = data.decision;
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending || !d.eligible) return;
    save.mutate(attempt.next({}));
  };
  const amount = d.amount_cents ? BigInt(d.amount_cents) : null;
  const r = data.rules;
  return (
    <Modal opened={opened} onClose={() => onClose()} title="Enrol in level pay" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={ctrlEnter(submit)} noValidate aria-label="Enrol in level pay">
        <Stack gap="sm">
          {attempt.uncertain && (
            <Alert color="yellow" role="alert" title="Not sure the account was enrolled">
              {save.error?.message}. Ctrl+Enter sends it again: a second enrolment is refused, never made twice.
            </Alert>
          )}
          {save.isError && !attempt.uncertain && <Refusal error={save.error} />}
          {d.eligible && amount !== null ? (
            <>
              <Text size="xl" fw={700} data-testid="level-pay-amount">
                {money(amount)} a month
              </Text>
              <div data-testid="level-pay-sentence">
                <Text size="sm">{d.explanation}</Text>
                <RuleLine rule={d.rule_id} />
              </div>
              <Text size="sm" c="dimmed">
                Each bill asks {money(amount)}; the difference from the bill is kept as a deferred balance. The amount
                is reviewed every {r.review_every_months} months (changed when off by {r.review_change_percent}% or
                more) and the deferred balance is settled after {r.true_up_after_months} months.
              </Text>
            </>
          ) : (
            <NotEnrolled decision={d} testId="level-pay-sentence" />
          )}
          <EnrolActions
            allowed={d.eligible && amount !== null}
            label={attempt.uncertain ? "Send again" : `Enrol at ${money(amount ?? 0n)} a month`}
            pending={save.isPending}
            onCancel={() => onClose()}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * End level pay at the customer's request: what happens to the deferred balance (billed now, or credited), and why
 * it ends (prefilled, editable). Ctrl+Enter ends it.
 */
export function EndLevelPayModal({
  accountId,
  data,
  opened,
  onClose,
}: {
  accountId: number;
  data: LevelPay;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>();
  const field = useRef<HTMLInputElement>(null);
  const attempt = useMoneyAttempt<{ version: number; reason: string }>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: { version: number; reason: string } }) =>
      endLevelPay(accountId, body, key),
    onSuccess: async (view) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      const ended = view.events.find((e) => e.kind === "ended");
      onClose(ended?.explanation ?? "Level pay ended.");
    },
    onError: (err) => {
      // A stale version moved nothing: say so, and read the plan again so Ctrl+Enter ends it as it is now.
      const stale = err instanceof ApiError && err.status === 409 && err.problem.current !== undefined;
      attempt.settle(stale ? undefined : err);
      if (stale) void client.invalidateQueries({ queryKey: levelPayKey(accountId) });
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setReason("Customer asked to leave level pay");
    setError(undefined);
    attempt.reset();
    save.reset();
  }, [opened]);
  const plan = data.plan;
  if (!plan) return null;
  const deferred = BigInt(plan.deferred_cents);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    if (!reason.trim()) {
      setError("Say why the plan ends");
      field.current?.focus();
      return;
    }
    save.mutate(attempt.next({ version: plan.version, reason: reason.trim() }));
  };
  return (
    <Modal opened={opened} onClose={() => onClose()} title="End level pay" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={ctrlEnter(submit)} noValidate aria-label="End level pay">
        <Stack gap="sm">
          {attempt.uncertain && (
            <Alert color="yellow" role="alert" title="Not sure the plan ended">
              {save.error?.message}. Ctrl+Enter sends it again: the plan ends once, never twice.
            </Alert>
          )}
          {save.isError && !attempt.uncertain && <Refusal error={save.error} />}
          <Text size="sm" data-testid="level-pay-settlement">
            {deferred > 0n
              ? `The deferred balance of ${money(deferred)} is billed now, due as a bill is.`
              : deferred < 0n
                ? `The ${money(-deferred)} paid over the bills is credited to the account now.`
                : "Nothing is deferred: nothing to settle."}{" "}
            Bills from now on are paid as billed.
          </Text>
          <TextInput
            ref={field}
            data-autofocus
            label="Why it ends"
            value={reason}
            error={error}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              setError(undefined);
            }}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter ends it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" color="red.9" loading={save.isPending}>
                {attempt.uncertain ? "Send again" : "End level pay"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
