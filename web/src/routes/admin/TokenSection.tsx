import { Alert, Button, Code, CopyButton, Group, Stack, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import type { IssuedToken, ManagedUser } from "../../api/users.js";
import { fieldErrors, useIssueToken } from "./useUsers.js";

/** Issues an API token for a user; the secret is shown here once, with a button to copy it. */
export function TokenSection({ user }: { user: ManagedUser }) {
  const [name, setName] = useState("");
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const issue = useIssueToken();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || issue.isPending) return;
    issue.mutate(
      { id: user.id, name: name.trim() },
      {
        onSuccess: (token) => {
          setIssued(token);
          setName("");
        },
      },
    );
  };
  return (
    <Stack gap="sm">
      <form onSubmit={submit} noValidate aria-label="Issue an API token">
        <Group align="flex-end" wrap="nowrap">
          <TextInput
            flex={1}
            label="API token name"
            description="What the token is for, e.g. the meter-data import"
            value={name}
            error={fieldErrors(issue.error).name ?? (issue.isError ? issue.error.message : undefined)}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Button type="submit" variant="default" loading={issue.isPending} disabled={!name.trim()}>
            Issue token
          </Button>
        </Group>
      </form>
      {issued && (
        <Alert color="indigo" title={`Token “${issued.name}” for ${issued.username}`} role="status">
          <Stack gap="xs">
            <span>Copy it now: it is shown only once. It acts with {issued.username}’s roles.</span>
            <Group wrap="nowrap" gap="xs">
              <Code data-testid="issued-token" style={{ overflowWrap: "anywhere" }}>
                {issued.token}
              </Code>
              <CopyButton value={issued.token}>
                {({ copied, copy }) => (
                  <Button size="xs" variant={copied ? "light" : "filled"} onClick={copy}>
                    {copied ? "Copied" : "Copy"}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
