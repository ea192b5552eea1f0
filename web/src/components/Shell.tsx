import { AppShell, Badge, Button, Group, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { ReactNode } from "react";
import type { User } from "../api/auth.js";
import { useLogout } from "../session.js";

const roleLabel = (role: string) => role.replace(/_/g, " ");

/** The signed-in frame: the app header with who is signed in and a way out, and the page. */
export function Shell({ user, children }: { user: User; children: ReactNode }) {
  const signOut = useLogout();
  const leave = () =>
    signOut.mutate(undefined, {
      onError: (err) => notifications.show({ color: "red", title: "Sign-out failed", message: err.message }),
    });
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Title order={1} size="h3">
            <span aria-hidden="true">⚡ </span>Kilowatt
          </Title>
          <Group gap="sm" wrap="nowrap">
            <Text fw={600} size="sm" data-testid="user-name">
              {user.display_name}
            </Text>
            <Group gap={4} aria-label="Roles">
              {user.roles.map((role) => (
                <Badge key={role} variant="light" size="sm">
                  {roleLabel(role)}
                </Badge>
              ))}
            </Group>
            <Button variant="default" size="xs" onClick={leave} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
