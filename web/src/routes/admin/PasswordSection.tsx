import { Button, Group, PasswordInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useState } from "react";
import type { ManagedUser } from "../../api/users.js";
import { fieldErrors, isStale, useUpdateUser } from "./useUsers.js";

/** Sets a new password for a user who forgot theirs (it also ends a lock). */
export function PasswordSection({ user, onStale }: { user: ManagedUser; onStale: () => void }) {
  const [password, setPassword] = useState("");
  const [tried, setTried] = useState(false);
  const update = useUpdateUser();
  const short = tried && password.length < 12 ? "At least 12 characters" : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (password.length < 12 || update.isPending) return;
    update.mutate(
      { id: user.id, change: { version: user.version, password } },
      {
        onSuccess: (saved) => {
          setPassword("");
          setTried(false);
          notifications.show({ color: "green", title: "Password set", message: `Give it to ${saved.display_name}.` });
        },
        onError: (err) => isStale(err) && onStale(),
      },
    );
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Reset password">
      <Group align="flex-end" wrap="nowrap">
        <PasswordInput
          flex={1}
          label="New password"
          description="At least 12 characters"
          autoComplete="new-password"
          value={password}
          error={short ?? fieldErrors(update.error).password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        <Button type="submit" variant="default" loading={update.isPending}>
          Set password
        </Button>
      </Group>
    </form>
  );
}
