import { ActionIcon, Anchor, AppShell, Badge, Button, Group, Kbd, Text, Tooltip } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { Link, useRouterState } from "@tanstack/react-router";
import { type ReactNode, useEffect } from "react";
import { CommandsProvider } from "../commands/registry.js";
import { focusPage, trackFocus } from "../focus.js";
import { ApprovalsNavLink } from "../routes/approvals/ApprovalsNav.js";
import { useCan, useCurrentUser } from "../user.js";
import { CommandPalette, commandPalette } from "./CommandPalette.js";
import { useGlobalCommands } from "./globalCommands.js";
import classes from "./Shell.module.css";
import { ShortcutsModal } from "./ShortcutsModal.js";
import { AccountSearch } from "./search/AccountSearch.js";

const MOD_K = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘ K" : "Ctrl K";
const roleLabel = (role: string) => role.replace(/_/g, " ");

/** Moves focus to the new page's heading (or its data-page-focus element) after each navigation. */
function useFocusOnNavigation() {
  const path = useRouterState({ select: (s) => s.resolvedLocation?.pathname });
  useEffect(() => trackFocus(), []);
  useEffect(() => {
    if (path === undefined) return;
    const frame = requestAnimationFrame(() => {
      // Once the person is typing in a field of the new page, focus stays there.
      const active = document.activeElement;
      if (active?.closest("#main") && active.matches("input, textarea, select")) return;
      focusPage();
    });
    return () => cancelAnimationFrame(frame);
  }, [path]);
}

function Frame({ children }: { children: ReactNode }) {
  const user = useCurrentUser();
  const [help, helpControls] = useDisclosure(false);
  const { signOut, canManageUsers } = useGlobalCommands({ openShortcuts: helpControls.open });
  const canLockbox = useCan("lockbox.import");
  const canKeyBatches = useCan("batches.key");
  const canUseDrawer = useCan("drawers.use");
  const canSignOffDrawers = useCan("drawers.sign_off");
  const canUseDrawers = canUseDrawer || canSignOffDrawers;
  const canReadTariffs = useCan("tariffs.read");
  const canWorkBillExceptions = useCan("billing.exceptions");
  const canManageSettings = useCan("settings.manage");
  const canReadCollections = useCan("collections.read");
  const canReadOrders = useCan("orders.read");
  useFocusOnNavigation();
  // The home page has its own, larger search box: the header's would only repeat it.
  const onHome = useRouterState({ select: (s) => s.location.pathname }) === "/";
  return (
    <AppShell header={{ height: 60 }} padding="md">
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is an in-page link; the handler focuses the heading and keeps the address clean */}
      <a
        href="#main"
        className={classes.skip}
        onClick={(e) => {
          e.preventDefault();
          focusPage();
        }}
      >
        Skip to main content
      </a>
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap" gap="md">
          <Group wrap="nowrap" gap="lg" className={classes.left}>
            <Anchor component={Link} to="/" fw={700} size="lg" c="dark" underline="never" className={classes.brand}>
              <span aria-hidden="true">⚡ </span>Kilowatt
            </Anchor>
            <div className={classes.search}>{!onHome && <AccountSearch variant="header" />}</div>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <nav aria-label="Workstation" className={classes.nav}>
              <Group gap={4} wrap="nowrap">
                <ApprovalsNavLink />
                {canUseDrawers && (
                  <Button component={Link} to="/drawers" variant="subtle" size="xs">
                    Cash drawer
                  </Button>
                )}
                {canKeyBatches && (
                  <Button component={Link} to="/batches" variant="subtle" size="xs">
                    Batches
                  </Button>
                )}
                {canLockbox && (
                  <Button component={Link} to="/lockbox" variant="subtle" size="xs">
                    Lockbox
                  </Button>
                )}
                {canReadCollections && (
                  <Button component={Link} to="/collections" variant="subtle" size="xs">
                    Collections
                  </Button>
                )}
                {/* Those who work collections reach Field orders from the worklist: the header has no room for both. */}
                {canReadOrders && !canReadCollections && (
                  <Button component={Link} to="/orders" variant="subtle" size="xs">
                    Field orders
                  </Button>
                )}
                {canWorkBillExceptions && (
                  <Button component={Link} to="/billing/exceptions" variant="subtle" size="xs">
                    Billing
                  </Button>
                )}
                {canReadTariffs && (
                  <Button component={Link} to="/tariffs" variant="subtle" size="xs">
                    Tariffs
                  </Button>
                )}
                {canManageUsers && (
                  <Button component={Link} to="/admin/users" variant="subtle" size="xs">
                    Users
                  </Button>
                )}
                {canManageSettings && (
                  <Button component={Link} to="/admin/settings" variant="subtle" size="xs">
                    Settings
                  </Button>
                )}
                <Button variant="default" size="xs" onClick={() => commandPalette.open()}>
                  Commands&nbsp;<Kbd size="xs">{MOD_K}</Kbd>
                </Button>
                <Tooltip label="Keyboard shortcuts (?)">
                  <ActionIcon variant="default" size="md" aria-label="Keyboard shortcuts" onClick={helpControls.open}>
                    ?
                  </ActionIcon>
                </Tooltip>
              </Group>
            </nav>
            <Text fw={600} size="sm" data-testid="user-name">
              {user.display_name}
            </Text>
            <Group gap={4} aria-label="Roles" role="group">
              {user.roles.map((role) => (
                <Badge key={role} variant="light" size="sm">
                  {roleLabel(role)}
                </Badge>
              ))}
            </Group>
            <Button variant="default" size="xs" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main" tabIndex={-1} className={classes.main}>
        {children}
      </AppShell.Main>
      <CommandPalette />
      <ShortcutsModal opened={help} onClose={helpControls.close} />
    </AppShell>
  );
}

/** The signed-in frame: skip link, header with search and navigation, the page, the palette and shortcut list. */
export function Shell({ children }: { children: ReactNode }) {
  return (
    <CommandsProvider>
      <Frame>{children}</Frame>
    </CommandsProvider>
  );
}
