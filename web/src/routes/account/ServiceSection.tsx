import { Button, Stack, Text } from "@mantine/core";
import { useState } from "react";
import type { ServiceAgreement } from "../../api/accounts.js";
import { useCommands } from "../../commands/registry.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { useCan } from "../../user.js";
import { Section } from "./AccountSections.js";
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
  const [opened, setOpened] = useState(false);
  const { notice, ref, say } = useNotice();
  const close = (done?: string) => {
    setOpened(false);
    if (done) say(done);
    else setTimeout(restoreFocus, 0);
  };
  useCommands(
    stoppable
      ? [
          {
            id: "account-stop-service",
            label: "Stop service",
            description: "The customer moves out: final reads, the final bill at once, the account closed",
            group: "This page",
            keywords: ["stop", "move out", "moving", "final bill", "close account", "disconnect", "turn off"],
            run: () => setOpened(true),
          },
        ]
      : [],
  );
  return (
    <Section
      title="Premises and service"
      actions={
        stoppable && (
          <Button size="xs" variant="light" color="red.9" onClick={() => setOpened(true)}>
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
        <ServiceList agreements={agreements} />
      </Stack>
      {stoppable && (
        <StopServiceModal accountId={accountId} agreements={active} today={today} opened={opened} onClose={close} />
      )}
    </Section>
  );
}
