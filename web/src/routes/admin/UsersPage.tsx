import { Alert, Button, Container, Group, Kbd, Loader, Stack } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { restoreFocus } from "../../focus.js";
import { useCan } from "../../user.js";
import { CreateUserModal } from "./CreateUserModal.js";
import { EditUserModal } from "./EditUserModal.js";
import { UsersTable } from "./UsersTable.js";
import { useRoles, useUsers } from "./useUsers.js";

function Users() {
  const users = useUsers();
  const roles = useRoles();
  const [creating, createControls] = useDisclosure(false);
  const [editing, setEditing] = useState<number | null>(null);
  const editedUser = users.data?.users.find((u) => u.id === editing);
  // The edit dialog unmounts on close, so it cannot hand focus back itself: back to the row's Edit button.
  const closeEdit = () => {
    setEditing(null);
    requestAnimationFrame(restoreFocus);
  };
  useCommands([
    {
      id: "user-new",
      label: "New user",
      description: "Create a user",
      group: "This page",
      shortcut: "n",
      keywords: ["create", "add"],
      run: createControls.open,
    },
  ]);

  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <Group justify="space-between">
          <PageTitle>User administration</PageTitle>
          <Button onClick={createControls.open} rightSection={<Kbd size="xs">n</Kbd>}>
            New user
          </Button>
        </Group>
        {(users.isPending || roles.isPending) && <Loader size="sm" aria-label="Loading users" />}
        {(users.isError || roles.isError) && (
          <Alert color="red" role="alert" title="Users did not load">
            {(users.error ?? roles.error)?.message}
          </Alert>
        )}
        {users.data && <UsersTable users={users.data.users} onEdit={(u) => setEditing(u.id)} />}
      </Stack>
      {roles.data && <CreateUserModal opened={creating} onClose={createControls.close} roles={roles.data.roles} />}
      {roles.data && editedUser && <EditUserModal user={editedUser} roles={roles.data.roles} onClose={closeEdit} />}
    </Container>
  );
}

/** User administration: list, create, change roles, disable, unlock, reset passwords, issue API tokens. */
export function UsersPage() {
  const allowed = useCan("users.manage");
  return allowed ? <Users /> : <NoAccess what="User administration" />;
}
