import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ServiceAgreement } from "../../api/accounts.js";
import { cancelScheduledStop } from "../../api/service.js";
import { useCommands } from "../../commands/registry.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { useCan } from "../../user.js";
import { Section } from "./AccountSections.js";
import { refreshMoney } from "./refresh.js";
import { ServiceList } from "./ServiceTables.js";
import { StopServiceModal } from "./StopServiceModal.js";

/**
 * "Premises and service": the agreements with their premises and meters; on an active account `Stop service` (the
 * customer moves out: final reads, the final bill at once, the account closed), also from the palette.
 */
export function ServiceSection({
  accountId,
  status,
  agreements,
  today,
}: {
  accountId: number;
  status: string;
  agreements: ServiceAgreement[];
  today: string;
}) {
  const canStop = useCan("service.write");
  const active = agreements.filter((a) => a.status === "active");
  const stoppable = canStop && status === "active" && active.length > 0;
  // A stop scheduled ahead: the active agreements carry its date.
  const scheduled = status === "active" ? active.find((a) => a.end_date !== null)?.end_date : undefined;
  const [opened, setOpened] = useState(false);
  const { notice, ref, say } = useNotice();
  const client = useQueryClient();
  const unschedule = useMutation({
    mutationFn: () => cancelScheduledStop(accountId),
    onSuccess: async (r) => {
      await refreshMoney(client, [accountId]);
      say(r.explanation);
    },
  });
  const close = (done?: string) => {
    setOpened(false);
    if (done) say(done);
    else setTimeout(restoreFocus, 0);
  };
  useCommands([
    ...(stoppable
      ? [
          {
            id: "account-stop-service",
            label: "Stop service",
            description: "The customer moves out: today (the final bill at once, the account closed) or on a later day",
            group: "This page" as const,
            keywords: ["stop", "move out", "moving", "final bill", "close account", "disconnect", "turn off"],
            run: () => setOpened(true),
          },
        ]
      : []),
    ...(canStop && scheduled
      ? [
          {
            id: "account-stop-cancel",
            label: "Cancel the scheduled stop",
            description: `The customer stays: service goes on after ${scheduled}`,
            group: "This page" as const,
            keywords: ["stop", "cancel", "stay", "not moving", "keep service"],
            run: () => unschedule.mutate(),
          },
        ]
      : []),
  ]);
  return (
    <Section
      title="Premises and service"
      actions={
        stoppable && (
          <Button size="xs" variant="outline" color="red.9" onClick={() => setOpened(true)}>
            Stop service
          </Button>
        )
      }
    >
      <Stack gap="xs">
        {notice && (
          <Text ref={ref} tabIndex={-1} role="status" fw={600} data-testid="service-notice">
            {notice}
          </Text>
        )}
        {scheduled && (
          <Alert color="orange" title={`Service stops on ${scheduled}`} data-testid="scheduled-stop">
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm">The morning after, the final bill is made through that day and the account closes.</Text>
              {canStop && (
                <Button
                  size="compact-sm"
                  variant="default"
                  loading={unschedule.isPending}
                  onClick={() => unschedule.mutate()}
                >
                  Cancel the stop
                </Button>
              )}
            </Group>
          </Alert>
        )}
        {unschedule.isError && (
          <Alert color="red" role="alert" title="Not cancelled">
            {unschedule.error.message}
          </Alert>
        )}
        <ServiceList agreements={agreements} />
      </Stack>
      {stoppable && (
        <StopServiceModal accountId={accountId} agreements={active} today={today} opened={opened} onClose={close} />
      )}
    </Section>
  );
}
