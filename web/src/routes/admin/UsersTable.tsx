import { Badge, Button, Group, Table, Text, VisuallyHidden } from "@mantine/core";
import type { ManagedUser } from "../../api/users.js";
import { roleLabel } from "./RolesInput.js";

/** Every user with their roles and state; each row opens the user for editing. */
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
            <Table.Td>{u.locked_until ? <Badge color="red">Locked</Badge> : "No"}</Table.Td>
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
