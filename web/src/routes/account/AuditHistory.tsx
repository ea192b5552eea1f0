import { Alert, Button, Group, Loader, Stack, Table, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { type AuditEntry, fetchAudit } from "../../api/accounts.js";
import { ApiError } from "../../api/client.js";
import { valueText, when, words } from "./format.js";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a write changed: each field whose value differs between before and after. */
export function changesOf(entry: Pick<AuditEntry, "before" | "after">): { field: string; from: string; to: string }[] {
  const before = isRecord(entry.before) ? entry.before : {};
  const after = isRecord(entry.after) ? entry.after : {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (f) => !["id", "version", "updated_at", "created_at"].includes(f),
  );
  return fields
    .map((field) => ({ field, from: valueText(before[field]), to: valueText(after[field]) }))
    .filter((c) => c.from !== c.to);
}

/** The account's audit history, newest first: who, when, what, and what changed (as text); older pages on request. */
export function AuditHistory({ accountId }: { accountId: number }) {
  const audit = useInfiniteQuery({
    queryKey: ["audit", accountId],
    queryFn: ({ signal, pageParam }) => fetchAudit(accountId, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const end = useRef<HTMLParagraphElement>(null);
  const [askedForMore, setAskedForMore] = useState(false);
  // The button goes once the oldest row is shown: focus moves to the line that says so rather than to nowhere.
  useEffect(() => {
    if (askedForMore && !audit.hasNextPage && !audit.isFetchingNextPage) end.current?.focus();
  }, [askedForMore, audit.hasNextPage, audit.isFetchingNextPage]);

  if (audit.isPending) return <Loader size="sm" aria-label="Loading the audit history" />;
  if (audit.isError && !audit.data) {
    const forbidden = audit.error instanceof ApiError && audit.error.status === 403;
    return (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include the audit history." : audit.error.message}
      </Alert>
    );
  }
  const entries = audit.data.pages.flatMap((p) => p.entries);
  if (entries.length === 0) return <Text size="sm">Nothing recorded yet.</Text>;
  const showOlder = () => {
    if (audit.isFetchingNextPage) return;
    setAskedForMore(true);
    void audit.fetchNextPage();
  };
  const shown = `${entries.length} ${entries.length === 1 ? "entry" : "entries"}`;
  return (
    <Stack gap="xs">
      <Table striped aria-label="Audit history" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">When</Table.Th>
            <Table.Th scope="col">Who</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
            <Table.Th scope="col">What changed</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{when(e.recorded_at)}</Table.Td>
              <Table.Td>{e.actor}</Table.Td>
              <Table.Td>
                {words(e.action.replace(/\./g, " "))}{" "}
                <Text span size="xs" c="dimmed">
                  ({e.entity_type} {e.entity_id})
                </Text>
              </Table.Td>
              <Table.Td>
                {changesOf(e).map((c) => (
                  <Text key={c.field} size="sm" style={{ overflowWrap: "anywhere" }}>
                    {words(c.field)}: {c.from} → {c.to}
                  </Text>
                ))}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group gap="sm">
        {audit.hasNextPage ? (
          <>
            {/* Not disabled while loading: a disabled button would drop the keyboard focus. */}
            <Button
              size="xs"
              variant="light"
              onClick={showOlder}
              aria-busy={audit.isFetchingNextPage}
              aria-describedby={`audit-shown-${accountId}`}
            >
              {audit.isFetchingNextPage ? "Loading older entries…" : "Show older"}
            </Button>
            <Text size="sm" id={`audit-shown-${accountId}`} role="status">
              {shown}, newest first
            </Text>
          </>
        ) : (
          <Text size="sm" ref={end} tabIndex={-1} role="status">
            {shown}: all of the account's history.
          </Text>
        )}
        {audit.isFetchNextPageError && (
          <Text size="sm" c="red.8" role="alert">
            Older entries did not load: {audit.error?.message}
          </Text>
        )}
      </Group>
    </Stack>
  );
}
