import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ApiError } from "../../api/client.js";
import { fetchLevelPay, LEVEL_PAY_EVENT_WORDS, type LevelPay, levelPayKey } from "../../api/levelpay.js";
import { useCommands } from "../../commands/registry.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { useCan } from "../../user.js";
import { jumpToSection, Section, sectionTitleId } from "./AccountSections.js";
import { RuleLine } from "./dialog.js";
import { deferredWords, EndLevelPayModal, EnrolLevelPayModal } from "./LevelPayModal.js";
import { money } from "./money.js";

const TITLE = "Level pay";
const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

export const jumpToLevelPay = () => jumpToSection(sectionTitleId(TITLE));

/** The plan in force: the level amount, the deferred balance, and when it is next reviewed and trued up. */
function Plan({ data }: { data: LevelPay }) {
  const p = data.plan!;
  return (
    <Stack gap={4} data-testid="level-pay-plan">
      <Group gap="xs">
        <Badge variant="light" color="blue">
          Enrolled
        </Badge>
        <Text size="sm">
          <strong>{money(p.level_cents)} a month</strong> since {p.enrolled_on}; deferred balance{" "}
          <strong>{deferredWords(p.deferred_cents)}</strong>
        </Text>
      </Group>
      <Text size="sm">
        Next review with the first bill from {p.next_review_on}; true-up with the bill of {p.true_up_on}.
      </Text>
    </Stack>
  );
}

/** Why the account is not on level pay, or what enrolling would give: policy's sentence and rule. */
function Decision({ data }: { data: LevelPay }) {
  const d = data.decision;
  const ended = data.plan?.status === "ended" ? data.plan : null;
  return (
    <Stack gap={4} data-testid="level-pay-decision">
      <Group gap="xs">
        <Badge variant="light" color={d.eligible ? "green" : "gray"}>
          {ended ? `Ended ${ended.ended_on}` : "Not enrolled"}
        </Badge>
        <Text size="sm">{d.explanation}</Text>
      </Group>
      <RuleLine rule={d.rule_id} />
    </Stack>
  );
}

function Events({ data }: { data: LevelPay }) {
  if (data.events.length === 0) return null;
  return (
    <>
      <Title order={3} size="h5" mt="xs">
        History
      </Title>
      <Table withTableBorder fz="sm" aria-label="Level pay history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Date</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th style={NUM}>Bill</Table.Th>
            <Table.Th style={NUM}>Level amount</Table.Th>
            <Table.Th style={NUM}>Deferred after</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.events.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{e.on_date}</Table.Td>
              <Table.Td>{LEVEL_PAY_EVENT_WORDS[e.kind] ?? e.kind}</Table.Td>
              <Table.Td style={NUM}>{e.actual_cents === null ? "" : money(e.actual_cents)}</Table.Td>
              <Table.Td style={NUM}>{money(e.level_cents)}</Table.Td>
              <Table.Td style={NUM}>{money(e.deferred_after_cents)}</Table.Td>
              <Table.Td>{e.explanation}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}

/**
 * "Level pay" (budget billing): the plan in force (the level amount, the deferred balance, the next review and the
 * true-up) and its history, or policy's decision on enrolling with its sentence and rule. "Enrol in level pay" and
 * "End level pay" are in the palette (and buttons here).
 */
export function LevelPaySection({ accountId }: { accountId: number }) {
  const data = useQuery({
    queryKey: levelPayKey(accountId),
    queryFn: ({ signal }) => fetchLevelPay(accountId, signal),
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const canManage = useCan("levelpay.manage");
  const [dialog, setDialog] = useState<"enrol" | "end" | null>(null);
  const { notice, ref: noticeLine, say } = useNotice();
  const close = (done?: string) => {
    setDialog(null);
    if (done) say(done);
    else setTimeout(restoreFocus, 0);
  };
  const lp = data.data;
  const enrolled = lp?.plan?.status === "enrolled";
  useCommands([
    ...(canManage && lp && !enrolled
      ? [
          {
            id: "account-level-pay-enrol",
            label: "Enrol in level pay",
            description: "Budget billing: the same amount every month, a year's average",
            group: "This page" as const,
            keywords: ["level pay", "budget billing", "balanced payment plan", "average", "same every month"],
            run: () => setDialog("enrol"),
          },
        ]
      : []),
    ...(canManage && enrolled
      ? [
          {
            id: "account-level-pay-end",
            label: "End level pay",
            description: "Back to paying as billed: the deferred balance is billed or credited now",
            group: "This page" as const,
            keywords: ["level pay", "budget billing", "leave", "stop", "cancel plan"],
            run: () => setDialog("end"),
          },
        ]
      : []),
    {
      id: "account-level-pay",
      label: "Level pay",
      description: "The level amount, the deferred balance, reviews and true-up",
      group: "This page",
      keywords: ["level pay", "budget billing", "deferred balance", "true-up"],
      run: jumpToLevelPay,
    },
  ]);

  let body: ReactNode;
  if (data.isPending) body = <Loader size="sm" aria-label="Loading level pay" />;
  else if (data.isError) {
    const forbidden = data.error instanceof ApiError && data.error.status === 403;
    body = (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include level pay." : `Level pay did not load: ${data.error.message}`}
      </Alert>
    );
  } else {
    body = (
      <Stack gap="sm">
        {enrolled ? <Plan data={data.data} /> : <Decision data={data.data} />}
        <Events data={data.data} />
      </Stack>
    );
  }
  const actions =
    canManage && lp ? (
      enrolled ? (
        <Button size="xs" variant="outline" color="red.9" onClick={() => setDialog("end")}>
          End level pay
        </Button>
      ) : lp.decision.eligible ? (
        <Button size="xs" variant="light" onClick={() => setDialog("enrol")}>
          Enrol
        </Button>
      ) : undefined
    ) : undefined;
  return (
    <Section title={TITLE} actions={actions}>
      <Stack gap="xs">
        {notice && (
          <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} data-testid="level-pay-notice">
            {notice}
          </Text>
        )}
        {body}
      </Stack>
      {canManage && lp && (
        <>
          <EnrolLevelPayModal accountId={accountId} data={lp} opened={dialog === "enrol"} onClose={close} />
          <EndLevelPayModal accountId={accountId} data={lp} opened={dialog === "end"} onClose={close} />
        </>
      )}
    </Section>
  );
}
