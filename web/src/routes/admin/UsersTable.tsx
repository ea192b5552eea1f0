import { Badge, Button, Group, Table, Text, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { ManagedUser } from "../../api/users.js";
import { roleLabel } from "./RolesInput.js";
import { isStale, useUpdateUser } from "./useUsers.js";

/** When a lock ends, in the workstation's local time. */
const lockEnd = (iso: string) => new Date(iso).toLocaleTimeString([], { timeStyle: "short" });

/** A lockout in force: the badge, when it ends, and the Unlock action right there. */
function LockCell({ user }: { user: ManagedUser }) {
  const update = useUpdateUser();
  if (!user.locked) return <>No</>;
  const unlock = () =>
    update.mutate(
      { id: user.id, change: { version: user.version, unlock: true } },
      {
        onSuccess: (saved) =>
          notifications.show({ color: "green", title: "Unlocked", message: `${saved.username} can sign in again.` }),
        onError: (err) =>
          notifications.show({
            color: "red",
            title: "Not unlocked",
            message: isStale(err) ? `${user.username} was changed meanwhile; the list is reloaded.` : err.message,
          }),
      },
    );
  return (
    <Group gap={6} wrap="nowrap">
      <Badge color="red" variant="light">
        Locked
      </Badge>
      {user.locked_until && (
        <Text span size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
          until {lockEnd(user.locked_until)}
        </Text>
      )}
      <Button size="compact-xs" variant="default" onClick={unlock} aria-label={`Unlock ${user.username}`}>
        Unlock
      </Button>
    </Group>
  );
}

/** Every user with their roles and state (a lockout in force with its Unlock); each row opens the user for editing. */
export function UsersTable({ users, onEdit }: { users: ManagedUser[]; onEdit: (user: ManagedUser) => void }) {
  const sorted = [...users].sort((a, b) => a.username.localeCompare(b.username));
  return (
    <Table striped withTableBorder verticalSpacing="xs">
      <Table.Caption>{users.length === 1 ? "1 user" : `${users.length} users`}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Username</Table.Th>
          <Table.Th scope="col">Name</Table.Th>
          <Table.Th scope="col">Roles</Table.Th>
          <Table.Th scope="col">Active</Table.Th>
          <Table.Th scope="col">Locked</Table.Th>
          <Table.Th scope="col">
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sorted.map((u) => (
          <Table.Tr key={u.id}>
            <Table.Th scope="row" ff="monospace" fw={400}>
              {u.username}
            </Table.Th>
            <Table.Td>
              {u.display_name}
              {u.email && (
                <Text size="xs" c="gray.7">
                  {u.email}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {u.roles.map((r) => (
                  <Badge key={r} variant="light" size="sm">
                    {roleLabel(r)}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
            <Table.Td>{u.active ? "Yes" : <Badge color="gray">Disabled</Badge>}</Table.Td>
            <Table.Td>
              <LockCell user={u} />
            </Table.Td>
            <Table.Td ta="right">
              <Button size="xs" variant="default" onClick={() => onEdit(u)} aria-label={`Edit ${u.username}`}>
                Edit
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
