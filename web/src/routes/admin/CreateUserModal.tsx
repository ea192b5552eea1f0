import { Alert, Button, Group, Modal, PasswordInput, Stack, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useState } from "react";
import type { NewUser, Role } from "../../api/users.js";
import { RolesInput } from "./RolesInput.js";
import { fieldErrors, useCreateUser } from "./useUsers.js";

const EMPTY: NewUser = { username: "", display_name: "", email: null, password: "", roles: [] };

/** What is missing or too short, checked before asking the server (which checks again). */
function check(u: NewUser): Record<string, string> {
  const out: Record<string, string> = {};
  if (u.username.trim().length < 2) out.username = "At least 2 characters";
  if (!u.display_name.trim()) out.display_name = "Enter the person's name";
  if (u.password.length < 12) out.password = "At least 12 characters";
  if (u.roles.length === 0) out.roles = "Give the user at least one role";
  return out;
}

/** Creates a user: username, name, email, roles, then a first password; Enter in the password field creates it. */
export function CreateUserModal({ opened, onClose, roles }: { opened: boolean; onClose: () => void; roles: Role[] }) {
  const [user, setUser] = useState<NewUser>(EMPTY);
  const [tried, setTried] = useState(false);
  const create = useCreateUser();
  const set = <K extends keyof NewUser>(key: K, value: NewUser[K]) => setUser((u) => ({ ...u, [key]: value }));
  const errors = { ...(tried ? check(user) : {}), ...fieldErrors(create.error) };

  const close = () => {
    setUser(EMPTY);
    setTried(false);
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (Object.keys(check(user)).length > 0 || create.isPending) return;
    const email = user.email?.trim() || null;
    create.mutate(
      { ...user, username: user.username.trim(), display_name: user.display_name.trim(), email },
      {
        onSuccess: (made) => {
          notifications.show({ color: "green", title: "User created", message: `${made.username} can sign in now.` });
          close();
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title="New user" size="lg">
      <form onSubmit={submit} noValidate aria-label="New user">
        <Stack gap="sm">
          {create.isError && Object.keys(fieldErrors(create.error)).length === 0 && (
            <Alert color="red" role="alert" title="Not created">
              {create.error.message}
            </Alert>
          )}
          <TextInput
            data-autofocus
            label="Username"
            description="What they type to sign in"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            value={user.username}
            error={errors.username}
            onChange={(e) => set("username", e.currentTarget.value)}
          />
          <TextInput
            label="Display name"
            required
            autoComplete="off"
            value={user.display_name}
            error={errors.display_name}
            onChange={(e) => set("display_name", e.currentTarget.value)}
          />
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            value={user.email ?? ""}
            error={errors.email}
            onChange={(e) => set("email", e.currentTarget.value)}
          />
          <RolesInput roles={roles} value={user.roles} onChange={(r) => set("roles", r)} error={errors.roles} />
          <PasswordInput
            label="First password"
            description="At least 12 characters; give it to the person privately"
            required
            autoComplete="new-password"
            value={user.password}
            error={errors.password}
            onChange={(e) => set("password", e.currentTarget.value)}
          />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
