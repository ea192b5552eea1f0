import { Alert, Loader, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
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

/** The account's audit history, newest first: who, when, what, and what changed (as text). */
export function AuditHistory({ accountId }: { accountId: number }) {
  const audit = useQuery({
    queryKey: ["audit", accountId],
    queryFn: ({ signal }) => fetchAudit(accountId, signal),
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  if (audit.isPending) return <Loader size="sm" aria-label="Loading the audit history" />;
  if (audit.isError) {
    const forbidden = audit.error instanceof ApiError && audit.error.status === 403;
    return (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include the audit history." : audit.error.message}
      </Alert>
    );
  }
  const entries = audit.data.entries;
  if (entries.length === 0) return <Text size="sm">Nothing recorded yet.</Text>;
  return (
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
  );
}
