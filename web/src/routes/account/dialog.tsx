import { Alert, Text } from "@mantine/core";
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
