import { Alert, Anchor, Badge, Button, Group, Kbd, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearch } from "@tanstack/react-router";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import {
  type Collections,
  closePledge,
  collectionsKey,
  type Dispute,
  EVENT_WORDS,
  fetchCollections,
  noticePdfUrl,
  type Pledge,
  proofOfClaimUrl,
  STEP_WORDS,
} from "../../api/collections.js";
import { useCommands } from "../../commands/registry.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { useCan } from "../../user.js";
import { jumpToSection, Section, sectionTitleId } from "./AccountSections.js";
import { EnrolAmpModal, LeaveAmpModal } from "./AmpModal.js";
import { ArrangementModal } from "./ArrangementModal.js";
import { BankruptcyModal } from "./BankruptcyModal.js";
import { AmpPanel, ClosedPanel } from "./ClosedAndAmp.js";
import { DisputeList } from "./DisputeList.js";
import { DisputeModal } from "./DisputeModal.js";
import { RuleLine } from "./dialog.js";
import { when } from "./format.js";
import { money } from "./money.js";
import { PledgeModal } from "./PledgeModal.js";
import { ResolveDisputeModal } from "./ResolveDisputeModal.js";
import { RestoreModal } from "./RestoreModal.js";
import { refreshMoney } from "./refresh.js";

const TITLE = "Collections";
const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

export const jumpToCollections = () => jumpToSection(sectionTitleId(TITLE));

function Sub({ children }: { children: ReactNode }) {
  return (
    <Title order={3} size="h5" mt="xs">
      {children}
    </Title>
  );
}

/** Where the account stands, the next step and what holds it, in one paragraph a CSR can read out. */
function Standing({ c }: { c: Collections }) {
  const s = c.state;
  const pastDue = BigInt(c.collectible_past_due_cents);
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <Badge
          variant="light"
          color={!s ? (pastDue > 0n ? "yellow" : "green") : s.step === "notice" ? "orange" : "red"}
        >
          {s ? STEP_WORDS[s.step] : pastDue > 0n ? "Past due" : "Current"}
        </Badge>
        <Text size="sm">
          {money(c.collectible_past_due_cents)} past due and collectible
          {s ? `; ${STEP_WORDS[s.step].toLowerCase()} on ${s.step_on}` : ""}
          {BigInt(c.disputed_cents) > 0n ? `; ${money(c.disputed_cents)} in dispute, not collected` : ""}
          {BigInt(c.pre_petition_cents) > 0n
            ? `; ${money(c.pre_petition_cents)} before a bankruptcy petition, stayed`
            : ""}
        </Text>
      </Group>
      {c.next && (
        <Text size="sm" data-testid="collections-next">
          Next: {c.next.words} on {c.next.on}
          {s?.disconnect_from && s.step !== "disconnect_ordered"
            ? `; disconnection no sooner than ${s.disconnect_from}`
            : ""}
        </Text>
      )}
      {s?.blocked_reason && (
        <Alert color="yellow" title="Held" data-testid="collections-held">
          {s.blocked_reason}
          <Text size="xs" c="dimmed">
            Rule <span style={{ fontFamily: "monospace" }}>{s.blocked_rule}</span> since {s.blocked_since}
          </Text>
        </Alert>
      )}
    </Stack>
  );
}

/** The field has worked the disconnect order: said at once, before the morning's run records the step. */
function WorkedCut({ c }: { c: Collections }) {
  const order = c.state?.step === "disconnect_ordered" ? c.orders.find((o) => o.id === c.state?.order_id) : undefined;
  if (order?.status !== "completed") return null;
  return (
    <Alert color="red" title="Disconnected" data-testid="collections-disconnected">
      Order {order.id} was worked on {order.completed_on}: service is off. The next collections run records the step.
    </Alert>
  );
}

function Decisions({ c }: { c: Collections }) {
  return (
    <Stack gap={6} data-testid="collections-decisions">
      {c.decisions.map((d) => (
        <div key={`${d.rule_id}-${d.decision}`}>
          <Text size="sm">{d.explanation}</Text>
          <RuleLine rule={d.rule_id} />
        </div>
      ))}
    </Stack>
  );
}

function Notices({ c }: { c: Collections }) {
  if (c.events.length === 0) return <Text size="sm">No notices or collection steps yet.</Text>;
  return (
    <Table withTableBorder fz="sm" aria-label="Notices and steps">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Date</Table.Th>
          <Table.Th>What</Table.Th>
          <Table.Th style={NUM}>Past due</Table.Th>
          <Table.Th>Why</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {c.events.map((e) => (
          <Table.Tr key={e.id}>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{e.on_date}</Table.Td>
            <Table.Td>
              {e.notice ? (
                <Anchor
                  href={noticePdfUrl(e.id)}
                  target="_blank"
                  rel="noopener"
                  aria-label={`Open the letter of the ${(EVENT_WORDS[e.kind] ?? e.kind).toLowerCase()} of ${e.on_date} (opens in a new tab)`}
                >
                  {EVENT_WORDS[e.kind] ?? e.kind}
                </Anchor>
              ) : (
                (EVENT_WORDS[e.kind] ?? e.kind)
              )}
              {e.channel ? ` (${e.channel})` : ""}
              {e.emailed_at && (
                <Text size="xs" c="dimmed">
                  Emailed{e.emailed_to ? ` to ${e.emailed_to}` : ""} at {when(e.emailed_at)}
                </Text>
              )}
              {e.email_error && (
                <Text size="xs" c="red.8">
                  {e.email_error}
                </Text>
              )}
            </Table.Td>
            <Table.Td style={NUM}>{money(e.past_due_cents)}</Table.Td>
            <Table.Td>{e.explanation}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Arrangements({ c }: { c: Collections }) {
  if (c.arrangements.length === 0) return <Text size="sm">None.</Text>;
  return (
    <Stack gap="xs">
      {c.arrangements.map((a) => (
        <div key={a.id} data-testid={`arrangement-${a.id}`}>
          <Group gap="xs">
            <Badge variant="light" color={a.status === "active" ? "blue" : a.status === "broken" ? "red" : "gray"}>
              {a.kind === "extension" ? "Extension" : "Arrangement"} {a.id}: {a.status}
            </Badge>
            <Text size="sm">
              {money(a.paid_cents)} paid of {money(a.arrears_cents)}, made {a.opened_on} by {a.opened_by}
            </Text>
          </Group>
          <Text size="sm">{a.closed_reason ?? a.explanation}</Text>
          <Text size="xs" c="dimmed">
            {a.installments
              .map((i) => `${i.due_on}: ${money(i.amount_cents)}${i.seq === 0 ? " down" : ""}`)
              .join(" · ")}
          </Text>
        </div>
      ))}
    </Stack>
  );
}

const PLEDGE_COLOR: Record<Pledge["status"], string> = {
  pending: "blue",
  received: "green",
  expired: "gray",
  cancelled: "gray",
};

function Pledges({ c, canClose, onClosed }: { c: Collections; canClose: boolean; onClosed: (text: string) => void }) {
  const client = useQueryClient();
  const close = useMutation({
    mutationFn: ({ p, status }: { p: Pledge; status: "received" | "cancelled" }) =>
      closePledge(p.id, { version: p.version, status }),
    onSuccess: async (p) => {
      await refreshMoney(client, [c.account_id]);
      onClosed(
        `Pledge ${p.id} from ${p.agency} ${p.status === "received" ? "received" : "cancelled"}: it no longer holds collection.`,
      );
    },
    onError: () => void client.invalidateQueries({ queryKey: collectionsKey(c.account_id) }),
  });
  if (c.pledges.length === 0) return <Text size="sm">None. Record one from the palette (&quot;pledge&quot;).</Text>;
  return (
    <Stack gap={4}>
      {close.isError && (
        <Alert color="red" role="alert" title="Not done">
          {close.error.message}
        </Alert>
      )}
      {c.pledges.map((p) => (
        <Group gap="xs" key={p.id} data-testid={`pledge-${p.id}`}>
          <Badge variant="light" color={PLEDGE_COLOR[p.status]}>
            Pledge {p.id}: {p.status}
          </Badge>
          <Text size="sm">
            {money(p.amount_cents)} from {p.agency}, pledged {p.pledged_on}, expected by {p.expires_on}; recorded by{" "}
            {p.recorded_by}
          </Text>
          {canClose && p.status === "pending" && (
            <>
              <Button
                size="compact-xs"
                variant="subtle"
                loading={close.isPending && close.variables?.p.id === p.id}
                onClick={() => close.mutate({ p, status: "received" })}
                aria-label={`Pledge ${p.id} received`}
              >
                Received
              </Button>
              <Button
                size="compact-xs"
                variant="subtle"
                color="gray.8"
                onClick={() => close.mutate({ p, status: "cancelled" })}
                aria-label={`Cancel pledge ${p.id}`}
              >
                Cancel pledge
              </Button>
            </>
          )}
        </Group>
      ))}
    </Stack>
  );
}

/**
 * "Collections": where the account stands in the dunning steps and why (the next step and its date, what holds it,
 * policy's decisions with their rules), the notices sent (each letter opens as a PDF), arrangements, disputes and
 * service orders. `m` makes a payment arrangement or extension; `o` restores service after a disconnection.
 */
export function CollectionsSection({ accountId }: { accountId: number }) {
  const data = useQuery({
    queryKey: collectionsKey(accountId),
    queryFn: ({ signal }) => fetchCollections(accountId, signal),
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const canArrange = useCan("arrangements.make");
  const canRestore = useCan("service.restore");
  const canBankruptcy = useCan("bankruptcies.manage");
  const canDispute = useCan("disputes.open");
  const canResolve = useCan("disputes.resolve");
  const canPledge = useCan("collections.protect");
  const [dialog, setDialog] = useState<
    "arrangement" | "restore" | "bankruptcy" | "dispute" | "resolve" | "pledge" | "amp" | "amp-leave" | null
  >(null);
  const [resolving, setResolving] = useState<Dispute | null>(null);
  const openDisputes = data.data?.disputes.filter((d) => d.status === "open") ?? [];
  // AMP is offered (under the profile in force) to open accounts; a closed account's balance is collected otherwise.
  const amp = data.data && !data.data.closed ? data.data.amp : undefined;
  const ampOffered = amp !== undefined && amp.decision.rule_id !== "collections.amp.off";
  const ampPlan = amp?.plans.find((p) => p.status === "active");
  // A closed account's balance follows the closed-account steps: no arrangement is made on it.
  const isClosed = Boolean(data.data?.closed);
  const resolve = (d: Dispute) => {
    setResolving(d);
    setDialog("resolve");
  };
  // Opened from the worklist (?section=collections): the section comes into view once it has loaded, a frame after
  // the shell has put focus on the page's heading.
  const { section } = useSearch({ strict: false });
  const jumped = useRef(false);
  const loaded = data.isSuccess;
  useEffect(() => {
    if (jumped.current || section !== "collections" || !loaded) return;
    jumped.current = true;
    requestAnimationFrame(() => requestAnimationFrame(jumpToCollections));
  }, [section, loaded]);
  const { notice, ref: noticeLine, say } = useNotice();
  const close = (done?: string) => {
    setDialog(null);
    if (done) say(done);
    else setTimeout(restoreFocus, 0);
  };
  useCommands([
    ...(canArrange && !isClosed
      ? [
          {
            id: "account-arrangement",
            label: "Make a payment arrangement",
            description: "Spread what is past due over monthly installments, or give an extension",
            group: "This page" as const,
            shortcut: "m",
            keywords: ["arrangement", "payment plan", "installments", "extension", "more time"],
            run: () => setDialog("arrangement"),
          },
        ]
      : []),
    ...(canRestore
      ? [
          {
            id: "account-restore-service",
            label: "Restore service",
            description: "After a disconnection for non-payment: what policy requires, then the reconnect order",
            group: "This page" as const,
            shortcut: "o",
            keywords: ["restore", "reconnect", "turn on", "reconnection fee", "disconnected"],
            run: () => setDialog("restore"),
          },
        ]
      : []),
    ...(canBankruptcy
      ? [
          {
            id: "account-bankruptcy",
            label: "Record a bankruptcy",
            description: "The case and petition date: the debt before it is stayed; the proof of claim",
            group: "This page" as const,
            keywords: ["bankruptcy", "petition", "chapter 7", "chapter 13", "proof of claim", "stay"],
            run: () => setDialog("bankruptcy"),
          },
        ]
      : []),
    ...(canDispute
      ? [
          {
            id: "account-dispute",
            label: "Open a dispute",
            description: "On the whole account or on bill items: what is disputed is not collected while investigated",
            group: "This page" as const,
            shortcut: "i",
            keywords: ["dispute", "contest", "disagree", "wrong bill", "investigate", "hold"],
            run: () => setDialog("dispute"),
          },
        ]
      : []),
    ...(canResolve && openDisputes.length > 0
      ? [
          {
            id: "account-dispute-resolve",
            label: "Resolve a dispute",
            description: "Upheld, denied or withdrawn, with what the investigation found",
            group: "This page" as const,
            keywords: ["dispute", "resolve", "investigation", "uphold", "deny", "withdraw"],
            run: () => resolve(openDisputes[0]!),
          },
        ]
      : []),
    ...(canArrange && ampOffered && !ampPlan
      ? [
          {
            id: "account-amp",
            label: "Enrol in AMP",
            description: "Arrearage management (CARE/FERA): old arrears held, a twelfth forgiven per bill paid on time",
            group: "This page" as const,
            keywords: ["amp", "arrearage", "forgive", "forgiveness", "care", "fera", "arrears"],
            run: () => setDialog("amp"),
          },
        ]
      : []),
    ...(canArrange && ampPlan
      ? [
          {
            id: "account-amp-leave",
            label: "End the AMP plan",
            description: "At the customer's request: what is not forgiven returns to collection",
            group: "This page" as const,
            keywords: ["amp", "arrearage", "leave", "end", "remove"],
            run: () => setDialog("amp-leave"),
          },
        ]
      : []),
    ...(canPledge
      ? [
          {
            id: "account-pledge",
            label: "Record an energy-assistance pledge",
            description: "An agency's pending payment (LIHEAP): the agency, the amount, when it is expected",
            group: "This page" as const,
            keywords: ["pledge", "liheap", "assistance", "agency", "heap", "grant"],
            run: () => setDialog("pledge"),
          },
        ]
      : []),
    {
      id: "account-collections",
      label: "Collections",
      description: "Past due, notices, the next step and what holds it, arrangements, disputes, orders",
      group: "This page",
      keywords: ["collections", "past due", "notice", "disconnect", "delinquent", "dunning"],
      run: jumpToCollections,
    },
  ]);

  let body: ReactNode;
  if (data.isPending) body = <Loader size="sm" aria-label="Loading collections" />;
  else if (data.isError) {
    const forbidden = data.error instanceof ApiError && data.error.status === 403;
    body = (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include collections." : `Collections did not load: ${data.error.message}`}
      </Alert>
    );
  } else {
    const c = data.data;
    body = (
      <Stack gap="sm">
        {c.closed ? (
          <>
            <Text size="sm">The account is closed: its balance is collected as a closed account&apos;s.</Text>
            <ClosedPanel closed={c.closed} />
          </>
        ) : (
          <Standing c={c} />
        )}
        <WorkedCut c={c} />
        <Sub>Decisions</Sub>
        <Decisions c={c} />
        <Sub>Notices and steps</Sub>
        <Notices c={c} />
        <Sub>Arrangements</Sub>
        <Arrangements c={c} />
        {amp && (ampOffered || amp.plans.length > 0) && (
          <>
            <Sub>Arrearage management (AMP)</Sub>
            <AmpPanel
              amp={amp}
              onEnrol={canArrange ? () => setDialog("amp") : undefined}
              onLeave={canArrange ? () => setDialog("amp-leave") : undefined}
            />
          </>
        )}
        {(c.disputes.length > 0 || canDispute) && (
          <>
            <Sub>Disputes</Sub>
            <DisputeList disputes={c.disputes} canOpen={canDispute} canResolve={canResolve} onResolve={resolve} />
          </>
        )}
        {(c.pledges.length > 0 || canPledge) && (
          <>
            <Sub>Energy-assistance pledges</Sub>
            <Pledges c={c} canClose={canPledge} onClosed={say} />
          </>
        )}
        {c.bankruptcies.length > 0 && (
          <>
            <Sub>Bankruptcy</Sub>
            {c.bankruptcies.map((b) => (
              <Group gap="xs" key={b.id} data-testid={`bankruptcy-${b.id}`}>
                <Text size="sm">
                  Chapter {b.chapter}, case {b.case_number} ({b.court}), petition {b.petition_date}, {b.status}:{" "}
                  {money(b.pre_petition_cents)} before the petition
                  {b.status === "open" ? `, ${money(b.pre_petition_open_cents)} of it open and stayed` : ""}.
                </Text>
                {canBankruptcy && (
                  <Anchor
                    size="sm"
                    href={proofOfClaimUrl(b.id)}
                    target="_blank"
                    rel="noopener"
                    aria-label={`Open the proof of claim for case ${b.case_number} (opens in a new tab)`}
                  >
                    Proof of claim
                  </Anchor>
                )}
              </Group>
            ))}
          </>
        )}
        {c.orders.length > 0 && (
          <>
            <Sub>Service orders</Sub>
            {c.orders.map((o) => (
              <Text size="sm" key={o.id}>
                Order {o.id}: {o.kind === "disconnect_nonpay" ? "disconnect for non-payment" : "reconnect"}, {o.status}
                {o.status === "open" ? ` (from ${o.due_on})` : ""}
                {o.completed_on ? ` on ${o.completed_on}` : ""}
                {o.cancel_reason ? `: ${o.cancel_reason}` : ""}
              </Text>
            ))}
          </>
        )}
      </Stack>
    );
  }
  const c = data.data;
  const disconnected =
    c?.state?.step === "disconnected" ||
    c?.orders.some((o) => o.kind === "disconnect_nonpay" && o.status === "completed");
  return (
    <Section
      title={TITLE}
      actions={
        ((canArrange && !isClosed) || canRestore) && (
          <Group gap="xs">
            {canArrange && !isClosed && (
              <Button size="xs" variant="light" onClick={() => setDialog("arrangement")}>
                Arrangement{" "}
                <Kbd ml={6} size="xs">
                  m
                </Kbd>
              </Button>
            )}
            {canRestore && disconnected && (
              <Button size="xs" onClick={() => setDialog("restore")}>
                Restore service{" "}
                <Kbd ml={6} size="xs">
                  o
                </Kbd>
              </Button>
            )}
          </Group>
        )
      }
    >
      <Stack gap="xs">
        {notice && (
          <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} data-testid="collections-notice">
            {notice}
          </Text>
        )}
        {body}
      </Stack>
      {canArrange && c && (
        <ArrangementModal
          accountId={accountId}
          opened={dialog === "arrangement"}
          onClose={close}
          arrearsCents={BigInt(c.collectible_past_due_cents)}
          today={c.as_of}
          maxMonths={c.rules.arrangement_max_months}
          maxDays={c.rules.extension_max_days}
        />
      )}
      {canBankruptcy && <BankruptcyModal accountId={accountId} opened={dialog === "bankruptcy"} onClose={close} />}
      {canRestore && <RestoreModal accountId={accountId} opened={dialog === "restore"} onClose={close} />}
      {canDispute && c && (
        <DisputeModal accountId={accountId} opened={dialog === "dispute"} onClose={close} today={c.as_of} />
      )}
      {canResolve && (
        <ResolveDisputeModal accountId={accountId} dispute={resolving} opened={dialog === "resolve"} onClose={close} />
      )}
      {canArrange && amp && <EnrolAmpModal accountId={accountId} amp={amp} opened={dialog === "amp"} onClose={close} />}
      {canArrange && (
        <LeaveAmpModal accountId={accountId} plan={ampPlan} opened={dialog === "amp-leave"} onClose={close} />
      )}
      {canPledge && c && (
        <PledgeModal accountId={accountId} opened={dialog === "pledge"} onClose={close} today={c.as_of} />
      )}
    </Section>
  );
}
