import { Alert, Button, Group, Text } from "@mantine/core";
import type { KeyboardEvent } from "react";
import { ApiError } from "../../api/client.js";

/** A request policy or the server refused: what it said, and the rule that decided, when one did. */
export function Refusal({ error }: { error: Error }) {
  const rule = error instanceof ApiError && typeof error.problem.rule === "string" ? error.problem.rule : undefined;
  return (
    <Alert color="red" role="alert" title="Not done">
      {error instanceof ApiError ? (error.problem.detail ?? error.message) : error.message}
      {rule && <RuleLine rule={rule} />}
    </Alert>
  );
}

/** The policy rule behind a decision or a refusal, named under its sentence. */
export function RuleLine({ rule }: { rule: string }) {
  return (
    <Text size="xs" c="dimmed">
      Rule <span style={{ fontFamily: "monospace" }}>{rule}</span>
    </Text>
  );
}

/** Ctrl+Enter (or Cmd+Enter) anywhere in the form sends it. */
export const ctrlEnter = (submit: () => void) => (event: KeyboardEvent) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit();
  }
};

/** Policy's refusal to enrol the account, in its sentence with its rule. */
export function NotEnrolled({
  decision,
  testId,
}: {
  decision: { explanation: string; rule_id: string };
  testId: string;
}) {
  return (
    <Alert color="yellow" title="Policy does not enrol this account today" data-testid={testId}>
      {decision.explanation}
      <RuleLine rule={decision.rule_id} />
    </Alert>
  );
}

/**
 * The foot of an enrolment dialog: when policy allows it, Cancel and the submit button (focused on opening, so Enter
 * or Ctrl+Enter enrols); when it does not, only Close (focused: Esc or Enter closes).
 */
export function EnrolActions({
  allowed,
  label,
  pending,
  onCancel,
}: {
  allowed: boolean;
  label: string;
  pending: boolean;
  onCancel: () => void;
}) {
  return (
    <Group justify="space-between" mt="sm">
      <Text size="sm" c="dimmed">
        {allowed ? "Ctrl+Enter enrols" : "Esc closes"}
      </Text>
      <Group>
        <Button variant="default" onClick={onCancel} data-autofocus={allowed ? undefined : true}>
          {allowed ? "Cancel" : "Close"}
        </Button>
        {allowed && (
          <Button type="submit" data-autofocus loading={pending}>
            {label}
          </Button>
        )}
      </Group>
    </Group>
  );
}
