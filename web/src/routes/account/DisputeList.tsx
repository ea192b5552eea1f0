import { Badge, Button, Group, Kbd, Stack, Text } from "@mantine/core";
import type { Dispute } from "../../api/collections.js";
import { disputeScope } from "./ResolveDisputeModal.js";

const STATUS_COLOR: Record<string, string> = { open: "yellow", upheld: "teal", denied: "gray", withdrawn: "gray" };

/**
 * The account's disputes, newest first: what each covers and why, what it holds while open, and how it was resolved.
 * Open ones have a Resolve button for those who may resolve them.
 */
export function DisputeList({
  disputes,
  canOpen,
  canResolve,
  onResolve,
}: {
  disputes: Dispute[];
  canOpen: boolean;
  canResolve: boolean;
  onResolve: (d: Dispute) => void;
}) {
  if (disputes.length === 0) {
    return (
      <Text size="sm">
        None.
        {canOpen && (
          <>
            {" "}
            <Kbd size="xs">i</Kbd> opens one on the account or on bill items.
          </>
        )}
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      {disputes.map((d) => (
        <div key={d.id} data-testid={`dispute-${d.id}`}>
          <Group gap="xs">
            <Badge variant="light" color={STATUS_COLOR[d.status] ?? "gray"}>
              Dispute {d.id}: {d.status}
            </Badge>
            {d.status === "open" && (
              <Text size="sm" fw={600}>
                {d.item_ids.length > 0
                  ? "Held from collection while investigated"
                  : "Every collection step held while investigated"}
              </Text>
            )}
            {canResolve && d.status === "open" && (
              <Button
                size="compact-xs"
                variant="light"
                aria-label={`Resolve dispute ${d.id}`}
                onClick={() => onResolve(d)}
              >
                Resolve
              </Button>
            )}
          </Group>
          <Text size="sm">
            On {disputeScope(d)}, opened {d.opened_on}
            {d.opened_by ? ` by ${d.opened_by}` : ""}: {d.reason}
          </Text>
          {d.notes && (
            <Text size="xs" c="dimmed" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {d.notes}
            </Text>
          )}
          {d.resolution && (
            <Text size="sm">
              {d.status[0]!.toUpperCase()}
              {d.status.slice(1)}
              {d.resolved_on ? ` ${d.resolved_on}` : ""}
              {d.resolved_by ? ` by ${d.resolved_by}` : ""}: {d.resolution}
            </Text>
          )}
        </div>
      ))}
    </Stack>
  );
}
