import { Alert, Button, Divider, Group, Modal, Stack, Switch, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useEffect, useState } from "react";
import type { ManagedUser, Role } from "../../api/users.js";
import { PasswordSection } from "./PasswordSection.js";
import { RolesInput } from "./RolesInput.js";
import { TokenSection } from "./TokenSection.js";
import { fieldErrors, isStale, useUpdateUser } from "./useUsers.js";

interface Details {
  display_name: string;
  email: string;
  roles: string[];
  active: boolean;
}

const detailsOf = (u: ManagedUser): Details => ({
  display_name: u.display_name,
  email: u.email ?? "",
  roles: u.roles,
  active: u.active,
});

/** When a lock ends, in the workstation's local time. */
const lockEnd = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

/**
 * Edits one user: name, email, roles and whether they may sign in (saved with the version read), unlock, a new
 * password, an API token. If someone else saved the user first, the admin is told and sees their version.
 */
export function EditUserModal({ user, roles, onClose }: { user: ManagedUser; roles: Role[]; onClose: () => void }) {
  const [form, setForm] = useState<Details>(() => detailsOf(user));
  const [stale, setStale] = useState(false);
  const update = useUpdateUser();
  // A new version (ours saved, or someone else's after a 409) shows what the server now has.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version is what says the user changed
  useEffect(() => setForm(detailsOf(user)), [user.version]);
  const errors = fieldErrors(update.error);
  const set = <K extends keyof Details>(key: K, value: Details[K]) => setForm((f) => ({ ...f, [key]: value }));

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (update.isPending) return;
    const change = { ...form, display_name: form.display_name.trim(), email: form.email.trim() || null };
    update.mutate(
      { id: user.id, change: { version: user.version, ...change } },
      {
        onSuccess: (saved) => {
          setStale(false);
          notifications.show({ color: "green", title: "Saved", message: `${saved.username} is up to date.` });
        },
        onError: (err) => setStale(isStale(err)),
      },
    );
  };
  const unlock = () =>
    update.mutate(
      { id: user.id, change: { version: user.version, unlock: true } },
      {
        onSuccess: (saved) =>
          notifications.show({ color: "green", title: "Unlocked", message: `${saved.username} can sign in again.` }),
        onError: (err) => setStale(isStale(err)),
      },
    );

  return (
    <Modal opened onClose={onClose} title={`User ${user.username}`} size="lg">
      <Stack gap="md">
        {stale && (
          <Alert color="yellow" role="alert" title="Someone else changed this user">
            Their changes were saved while you were editing and are shown below. Check them, then make your change
            again.
          </Alert>
        )}
        {update.isError && !stale && Object.keys(errors).length === 0 && (
          <Alert color="red" role="alert" title="Not saved">
            {update.error.message}
          </Alert>
        )}
        <form onSubmit={save} noValidate aria-label="Details and roles">
          <Stack gap="sm">
            <TextInput
              data-autofocus
              label="Display name"
              required
              value={form.display_name}
              error={errors.display_name}
              onChange={(e) => set("display_name", e.currentTarget.value)}
            />
            <TextInput
              label="Email"
              type="email"
              value={form.email}
              error={errors.email}
              onChange={(e) => set("email", e.currentTarget.value)}
            />
            <RolesInput roles={roles} value={form.roles} onChange={(r) => set("roles", r)} error={errors.roles} />
            <Switch
              label="Active: may sign in and use API tokens"
              checked={form.active}
              onChange={(e) => set("active", e.currentTarget.checked)}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={update.isPending}>
                Save changes
              </Button>
            </Group>
          </Stack>
        </form>
        {user.locked && user.locked_until && (
          <>
            <Divider />
            <Group justify="space-between">
              <Text size="sm">Locked after failed sign-ins, until {lockEnd(user.locked_until)}.</Text>
              <Button variant="default" onClick={unlock}>
                Unlock
              </Button>
            </Group>
          </>
        )}
        <Divider />
        <PasswordSection user={user} onStale={() => setStale(true)} />
        <Divider />
        <TokenSection user={user} />
      </Stack>
    </Modal>
  );
}
