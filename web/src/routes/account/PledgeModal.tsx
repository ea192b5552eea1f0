import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { fieldErrorsOf } from "../../api/client.js";
import { type Pledge, type PledgeRequest, recordPledge } from "../../api/collections.js";
import { useMoneyAttempt } from "./attempt.js";
import { money, parseDollars } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Field = "agency" | "amount_cents" | "pledged_on" | "expires_on";
type Errors = Partial<Record<Field, string>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const fieldErrors = (err: unknown): Errors => fieldErrorsOf<Field>(err);

/** What was recorded, for the line at the top of the collections section. */
export const pledgeOutcome = (p: Pledge) =>
  `Pledge ${p.id} of ${money(p.amount_cents)} from ${p.agency} recorded, pending until ${p.expires_on}.`;

/**
 * Record an energy-assistance pledge (LIHEAP and the like): the agency, the amount in dollars, the day it was pledged
 * and the day the payment is expected by (the pledge is pending until then). Ctrl+Enter records it.
 */
export function PledgeModal({
  accountId,
  opened,
  onClose,
  today,
}: {
  accountId: number;
  opened: boolean;
  onClose: (done?: string) => void;
  today: string;
}) {
  const [agency, setAgency] = useState("");
  const [amount, setAmount] = useState("");
  const [pledgedOn, setPledgedOn] = useState(today);
  const [expiresOn, setExpiresOn] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    agency: useRef<HTMLInputElement>(null),
    amount_cents: useRef<HTMLInputElement>(null),
    pledged_on: useRef<HTMLInputElement>(null),
    expires_on: useRef<HTMLInputElement>(null),
  };
  const attempt = useMoneyAttempt<PledgeRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: PledgeRequest }) => recordPledge(accountId, body, key),
    onSuccess: async (p) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(pledgeOutcome(p));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      setErrors(found);
      const first = (Object.keys(found) as Field[])[0];
      if (first) refs[first].current?.focus();
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setAgency("");
    setAmount("");
    setPledgedOn(today);
    setExpiresOn("");
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const cents = parseDollars(amount);
    const missing: Errors = {};
    if (!agency.trim()) missing.agency = "The agency that pledged";
    if (cents === null) missing.amount_cents = "Dollars and cents, such as 150 or 150.00";
    else if (cents <= 0n) missing.amount_cents = "More than $0.00";
    if (!DATE.test(pledgedOn)) missing.pledged_on = "A date YYYY-MM-DD";
    if (!DATE.test(expiresOn)) missing.expires_on = "A date YYYY-MM-DD";
    if (Object.keys(missing).length > 0 || cents === null) {
      setErrors(missing);
      refs[(Object.keys(missing) as Field[])[0]!].current?.focus();
      return;
    }
    save.mutate(
      attempt.next({
        agency: agency.trim(),
        amount_cents: Number(cents),
        pledged_on: pledgedOn,
        expires_on: expiresOn,
      }),
    );
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const clear = (f: Field) => setErrors((x) => ({ ...x, [f]: undefined }));
  const other = save.isError && Object.keys(fieldErrors(save.error)).length === 0;

  return (
    <Modal
      opened={opened}
      onClose={() => onClose()}
      title="Record an energy-assistance pledge"
      size="lg"
      returnFocus={false}
    >
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Record an energy-assistance pledge">
        <Stack gap="sm">
          {attempt.uncertain && (
            <Alert color="yellow" role="alert" title="Not sure the pledge was recorded">
              {save.error?.message}. Ctrl+Enter sends it again: it is never recorded twice.
            </Alert>
          )}
          {other && !attempt.uncertain && (
            <Alert color="red" role="alert" title="Not recorded">
              {save.error?.message}
            </Alert>
          )}
          <TextInput
            ref={refs.agency}
            data-autofocus
            label="Agency"
            placeholder="Sacramento Employment and Training Agency (LIHEAP)"
            autoComplete="off"
            maxLength={200}
            value={agency}
            error={errors.agency}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setAgency(e.currentTarget.value);
              clear("agency");
            }}
          />
          <TextInput
            ref={refs.amount_cents}
            label="Amount pledged"
            description="In dollars"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            error={errors.amount_cents}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setAmount(e.currentTarget.value);
              clear("amount_cents");
            }}
          />
          <TextInput
            ref={refs.pledged_on}
            label="Pledged on"
            description="YYYY-MM-DD: the day the agency committed (today unless you change it)"
            autoComplete="off"
            value={pledgedOn}
            error={errors.pledged_on}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setPledgedOn(e.currentTarget.value);
              clear("pledged_on");
            }}
          />
          <TextInput
            ref={refs.expires_on}
            label="Payment expected by"
            description="YYYY-MM-DD: the pledge is pending until this day"
            autoComplete="off"
            value={expiresOn}
            error={errors.expires_on}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setExpiresOn(e.currentTarget.value);
              clear("expires_on");
            }}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter records it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {attempt.uncertain ? "Send again" : "Record pledge"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
