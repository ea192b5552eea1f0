import { Alert, Button, Checkbox, Group, List, Loader, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { ApiError } from "../../api/client.js";
import {
  fetchRestoration,
  type Requirement,
  type Restoration,
  restorationKey,
  restoreService,
} from "../../api/collections.js";
import { useMoneyAttempt } from "./attempt.js";
import { RuleLine } from "./dialog.js";
import { refreshMoney } from "./refresh.js";

/** Each requirement, met or not, with policy's sentence and rule. */
export function Requirements({ list }: { list: Requirement[] }) {
  return (
    <List spacing={6} size="sm" listStyleType="none" data-testid="restoration-requirements">
      {list.map((r) => (
        <List.Item key={r.rule_id}>
          <Text size="sm" span fw={600} c={r.met ? "teal.9" : "red.9"}>
            {r.met ? "Met: " : "Needed: "}
          </Text>
          <Text size="sm" span>
            {r.explanation}
          </Text>
          <RuleLine rule={r.rule_id} />
        </List.Item>
      ))}
    </List>
  );
}

/** What a restore request did, for the line at the top of the collections section. */
export function restoreOutcome(r: Restoration): string {
  if (r.reconnect_order_id !== null) {
    return `Reconnect order ${r.reconnect_order_id} opened${r.same_day ? " for today" : ""}: every requirement is met.`;
  }
  const left = r.requirements.filter((x) => !x.met).map((x) => x.explanation);
  return `Not restored yet. ${left.join(" ")}`;
}

/**
 * Restore service after a disconnection for non-payment: what policy requires, each met or not and why (read it to
 * the customer), and whether the reconnection is asked for today (after hours it costs more). Ctrl+Enter bills the
 * fee and deposit that are due and, once everything is met, opens the reconnect order.
 */
export function RestoreModal({
  accountId,
  opened,
  onClose,
}: {
  accountId: number;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const [sameDay, setSameDay] = useState(false);
  const needs = useQuery({
    queryKey: restorationKey(accountId, sameDay),
    queryFn: ({ signal }) => fetchRestoration(accountId, sameDay, signal),
    enabled: opened,
  });
  const attempt = useMoneyAttempt<{ same_day?: boolean }>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: { same_day?: boolean } }) => restoreService(accountId, body, key),
    onSuccess: async (r) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(restoreOutcome(r));
    },
    onError: (err) => attempt.settle(err),
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setSameDay(false);
    attempt.reset();
    save.reset();
  }, [opened]);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!save.isPending) save.mutate(attempt.next(sameDay ? { same_day: true } : {}));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const refused = save.error instanceof ApiError && save.error.status === 422 ? save.error.problem.detail : null;

  return (
    <Modal opened={opened} onClose={() => onClose()} title="Restore service" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Restore service">
        <Stack gap="sm">
          {refused && (
            <Alert color="red" role="alert" title="Not restored">
              {refused}
            </Alert>
          )}
          {save.isError && !refused && (
            <Alert color={attempt.uncertain ? "yellow" : "red"} role="alert" title="Not sure it was done">
              {save.error.message}. Ctrl+Enter sends it again: nothing is billed twice.
            </Alert>
          )}
          {needs.isPending ? (
            <Loader size="sm" aria-label="Loading what restoring requires" />
          ) : needs.isError ? (
            <Alert color="red">What restoring requires did not load: {needs.error.message}</Alert>
          ) : !needs.data.disconnected ? (
            <Text size="sm">Service is not disconnected for non-payment.</Text>
          ) : (
            <>
              <Text size="sm">To restore service, policy ({needs.data.profile} profile) requires:</Text>
              <Requirements list={needs.data.requirements} />
            </>
          )}
          <Checkbox
            data-autofocus
            label="Reconnect today (asked after the cut-off time it costs the after-hours fee)"
            checked={sameDay}
            onChange={(e) => setSameDay(e.currentTarget.checked)}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter restores: bills what is due, and opens the reconnect order once everything is met
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                Restore service
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
