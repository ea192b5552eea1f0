import { Alert, Badge, Button, Group, Kbd, Loader, Stack, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { type ActivityEvent, activityKey, fetchActivity } from "../../api/activity.js";
import { ApiError } from "../../api/client.js";
import { useCommands } from "../../commands/registry.js";
import { jumpToSection, Section } from "./AccountSections.js";
import { when } from "./format.js";

const TITLE_ID = "section-activity";

/** Brings the timeline into view with focus on its heading, so the next Tab goes through the events. */
export function jumpToActivity() {
  jumpToSection(TITLE_ID);
}

const KIND_COLOR: Record<string, string> = {
  contact: "blue",
  payment: "green",
  payment_reversal: "red",
  payment_transfer: "orange",
  adjustment: "grape",
  approval_requested: "yellow",
  approval_approved: "grape",
  approval_rejected: "red",
  refund: "orange",
  cash_only: "red",
  identity_revealed: "yellow",
};

const KIND_LABEL: Record<string, string> = {
  contact: "Contact",
  payment: "Payment",
  payment_reversal: "Reversal",
  payment_transfer: "Transfer",
  adjustment: "Adjustment",
  approval_requested: "Approval",
  approval_approved: "Approval",
  approval_rejected: "Approval",
  refund: "Refund",
  cash_only: "Cash only",
  service_started: "Service",
  service_stopped: "Service",
  service_changed: "Service",
  enrolment: "Program",
  enrolment_ended: "Program",
  account_opened: "Account",
  account_closed: "Account",
  account_status: "Account",
  account_changed: "Account",
  customer_added: "Customer",
  customer_changed: "Customer",
  identity_revealed: "Identity",
  flag: "Customer",
};

/** One event: when, what (title), who, and the detail as text (customer notes included: never markup). */
function EventItem({ event }: { event: ActivityEvent }) {
  return (
    <li style={{ borderLeft: "2px solid var(--mantine-color-gray-4)", paddingLeft: 12 }}>
      <Group gap="xs" wrap="nowrap" align="baseline">
        <Badge size="sm" variant="light" color={KIND_COLOR[event.kind] ?? "gray"} style={{ flexShrink: 0 }}>
          {KIND_LABEL[event.kind] ?? "Account"}
        </Badge>
        <Text fw={600} size="sm">
          {event.title}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        <time dateTime={event.at}>{when(event.at)}</time> · {event.actor}
      </Text>
      {event.detail && (
        <Text size="sm" style={{ overflowWrap: "anywhere" }}>
          {event.detail}
        </Text>
      )}
    </li>
  );
}

/**
 * "Activity": what happened on the account, newest first, in plain words (contacts, payments, reversals,
 * adjustments, service, enrolments, account and customer changes). `t` (also in the palette) jumps here; the newest
 * 50 are shown and "Older events" adds the next 50 (not "Show older", the audit history's button: two buttons of one
 * name would be ambiguous in a screen reader's list). It reloads whenever the audit history does (after a contact,
 * a payment, an adjustment or an edit), since both are read from the audit trail.
 */
export function ActivityTimeline({ accountId }: { accountId: number }) {
  const activity = useInfiniteQuery({
    queryKey: activityKey(accountId),
    queryFn: ({ signal, pageParam }) => fetchActivity(accountId, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const end = useRef<HTMLParagraphElement>(null);
  const [askedForMore, setAskedForMore] = useState(false);
  // The button goes once the oldest event is shown: focus moves to the line that says so rather than to nowhere.
  useEffect(() => {
    if (askedForMore && !activity.hasNextPage && !activity.isFetchingNextPage) end.current?.focus();
  }, [askedForMore, activity.hasNextPage, activity.isFetchingNextPage]);

  useCommands([
    {
      id: "account-activity",
      label: "Activity timeline",
      description: "What happened on this account, newest first",
      group: "This page",
      shortcut: "t",
      keywords: ["timeline", "history", "events", "what happened"],
      run: jumpToActivity,
    },
  ]);

  let body: ReactNode;
  if (activity.isPending) body = <Loader size="sm" aria-label="Loading the activity" />;
  else if (activity.isError && !activity.data) {
    const forbidden = activity.error instanceof ApiError && activity.error.status === 403;
    body = (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include the activity." : `The activity did not load: ${activity.error.message}`}
      </Alert>
    );
  } else {
    const events = activity.data?.pages.flatMap((p) => p.events) ?? [];
    const shown = `${events.length} ${events.length === 1 ? "event" : "events"}`;
    const showOlder = () => {
      if (activity.isFetchingNextPage) return;
      setAskedForMore(true);
      void activity.fetchNextPage();
    };
    body =
      events.length === 0 ? (
        <Text size="sm">Nothing has happened on this account yet.</Text>
      ) : (
        <Stack gap="xs">
          <Stack component="ol" gap="sm" m={0} p={0} style={{ listStyle: "none" }} aria-label="Activity, newest first">
            {events.map((e) => (
              <EventItem key={e.id} event={e} />
            ))}
          </Stack>
          <Group gap="sm">
            {activity.hasNextPage ? (
              <>
                {/* Not disabled while loading: a disabled button would drop the keyboard focus. */}
                <Button
                  size="xs"
                  variant="light"
                  onClick={showOlder}
                  aria-busy={activity.isFetchingNextPage}
                  aria-describedby={`activity-shown-${accountId}`}
                >
                  {activity.isFetchingNextPage ? "Loading older events…" : "Older events"}
                </Button>
                <Text size="sm" id={`activity-shown-${accountId}`} role="status">
                  {shown}, newest first
                </Text>
              </>
            ) : (
              <Text size="sm" ref={end} tabIndex={-1} role="status">
                {shown}: everything since the account was opened.
              </Text>
            )}
            {activity.isFetchNextPageError && (
              <Text size="sm" c="red.8" role="alert">
                Older events did not load: {activity.error?.message}
              </Text>
            )}
          </Group>
        </Stack>
      );
  }
  return (
    <Section
      title="Activity"
      actions={
        <Text size="xs" c="dimmed">
          Jump here <Kbd size="xs">t</Kbd>
        </Text>
      }
    >
      {body}
    </Section>
  );
}
