import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect } from "react";
import { ApiError } from "../../api/client.js";
import { type AmpPlan, type AmpStanding, collectionsKey, enrolAmp, leaveAmp } from "../../api/collections.js";
import { useMoneyAttempt } from "./attempt.js";
import { ctrlEnter, EnrolActions, NotEnrolled, Refusal, RuleLine } from "./dialog.js";
import { money } from "./money.js";
import { refreshMoney } from "./refresh.js";

/** What enrolment did, for the line at the top of the collections section. */
export const ampOutcome = (p: AmpPlan) =>
  `Enrolled in AMP (plan ${p.id}): ${money(p.enrolled_cents)} held from collection; ` +
  `${money(p.installment_cents)} forgiven for each bill paid on time.`;

/**
 * Enrol in arrearage management (AMP): what policy would hold from collection, the twelfth forgiven for each bill
 * paid on time, and the sentence that explains the decision, to read to the customer. Ctrl+Enter (or Enter on the
 * button, which has focus) enrols. When policy does not allow it, the sentence says why and the rule is named.
 */
export function EnrolAmpModal({
  accountId,
  amp,
  opened,
  onClose,
}: {
  accountId: number;
  amp: AmpStanding;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const attempt = useMoneyAttempt<Record<string, never>>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key }: { key: string }) => enrolAmp(accountId, key),
    onSuccess: async (plan) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(ampOutcome(plan));
    },
    onError: (err) => attempt.settle(err),
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    attempt.reset();
    save.reset();
  }, [opened]);

  const d = amp.decision;
  const held = BigInt(d.enrol_cents);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending || !d.eligible) return;
    save.mutate(attempt.next({}));
  };
  return (
    <Modal opened={opened} onClose={() => onClose()} title="Enrol in AMP" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={ctrlEnter(submit)} noValidate aria-label="Enrol in AMP">
        <Stack gap="sm">
          {attempt.uncertain && (
            <Alert color="yellow" role="alert" title="Not sure the account was enrolled">
              {save.error?.message}. Ctrl+Enter sends it again: a second enrolment is refused, never made twice.
            </Alert>
          )}
          {save.isError && !attempt.uncertain && <Refusal error={save.error} />}
          {d.eligible ? (
            <>
              <Text size="xl" fw={700} data-testid="amp-held">
                {money(held)} held from collection
              </Text>
              <div data-testid="amp-sentence">
                <Text size="sm">{d.explanation}</Text>
                <RuleLine rule={d.rule_id} />
              </div>
              <Text size="sm" c="dimmed">
                The enrolled arrears get no notices and no disconnection while the plan lasts, and payments go to the
                current bill first. Each bill paid by its due date forgives a twelfth; two bills missed in a row end the
                plan, and what is not yet forgiven returns to collection.
              </Text>
            </>
          ) : (
            <NotEnrolled decision={d} testId="amp-sentence" />
          )}
          <EnrolActions
            allowed={d.eligible}
            label={attempt.uncertain ? "Send again" : `Enrol ${money(held)} in AMP`}
            pending={save.isPending}
            onCancel={() => onClose()}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * End an AMP plan at the customer's request: what has been forgiven stays forgiven, the rest returns to collection.
 * Ctrl+Enter ends it.
 */
export function LeaveAmpModal({
  accountId,
  plan,
  opened,
  onClose,
}: {
  accountId: number;
  plan: AmpPlan | undefined;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (p: AmpPlan) => leaveAmp(p.id, p.version),
    onSuccess: async (after) => {
      await refreshMoney(client, [accountId]);
      const back = BigInt(after.enrolled_cents) - BigInt(after.forgiven_cents);
      onClose(`AMP plan ${after.id} ended: ${money(back)} returns to collection.`);
    },
    onError: (err) => {
      // Someone else changed the plan: read it again, so Ctrl+Enter acts on it as it is now.
      if (err instanceof ApiError && err.status === 409) {
        void client.invalidateQueries({ queryKey: collectionsKey(accountId) });
      }
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (opened) save.reset();
  }, [opened]);
  if (!plan) return null;
  const back = BigInt(plan.enrolled_cents) - BigInt(plan.forgiven_cents);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!save.isPending) save.mutate(plan);
  };
  return (
    <Modal opened={opened} onClose={() => onClose()} title="End the AMP plan" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={ctrlEnter(submit)} noValidate aria-label="End the AMP plan">
        <Stack gap="sm">
          {save.isError && <Refusal error={save.error} />}
          <Text size="sm" data-testid="amp-leave-effect">
            {money(plan.forgiven_cents)} of the {money(plan.enrolled_cents)} enrolled has been forgiven and stays
            forgiven. The other {money(back)} returns to collection today: it is past due, and notices follow as policy
            says.
          </Text>
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter ends it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" color="red.9" data-autofocus loading={save.isPending}>
                End the plan
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
