import { Alert, Anchor, Badge, Button, Container, Group, Kbd, Loader, Paper, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import {
  type Drawer,
  depositSlipUrl,
  drawerKeys,
  drawerReportUrl,
  fetchCurrentDrawer,
  fetchDrawers,
} from "../../api/drawers.js";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { restoreFocus } from "../../focus.js";
import { useCan, useCurrentUser } from "../../user.js";
import { Section } from "../account/AccountSections.js";
import { money } from "../account/money.js";
import { CloseDrawerModal } from "./CloseDrawerModal.js";
import { DrawerPayments, NUM, TotalsTable } from "./DrawerTables.js";
import { OpenDrawerForm } from "./OpenDrawerForm.js";
import { SignOffQueue } from "./SignOffQueue.js";
import { overShortColor, overShortText, STATUS_WORDS, timeOf } from "./words.js";

const missing = (err: unknown) => err instanceof ApiError && err.status === 404;

/** The report and, once closed, the deposit slip of a drawer. */
function PdfLinks({ id, closed }: { id: number; closed: boolean }) {
  return (
    <Group gap="md">
      <Anchor href={drawerReportUrl(id)} target="_blank" rel="noopener">
        Drawer report {id} (PDF)
      </Anchor>
      {closed && (
        <Anchor href={depositSlipUrl(id)} target="_blank" rel="noopener">
          Deposit slip {id} (PDF)
        </Anchor>
      )}
    </Group>
  );
}

/** The cashier's own drawers, newest first, with where each stands and its PDFs. */
function MyDrawers() {
  const me = useCurrentUser().username;
  const list = useQuery({
    queryKey: [...drawerKeys.all, "list", "mine"],
    queryFn: ({ signal }) => fetchDrawers({}, signal),
  });
  const mine = (list.data?.drawers ?? []).filter((d) => d.cashier === me && d.status !== "open").slice(0, 10);
  if (mine.length === 0) return null;
  return (
    <Section title="Your closed drawers">
      <Table striped verticalSpacing={4} aria-label="Your closed drawers, newest first">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Drawer</Table.Th>
            <Table.Th scope="col">Date</Table.Th>
            <Table.Th scope="col">Location</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col" style={NUM}>
              Deposit
            </Table.Th>
            <Table.Th scope="col" style={NUM}>
              Over/short
            </Table.Th>
            <Table.Th scope="col">Documents</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {mine.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>{d.id}</Table.Td>
              <Table.Td>{d.business_date}</Table.Td>
              <Table.Td>{d.location}</Table.Td>
              <Table.Td>{STATUS_WORDS[d.status] ?? d.status}</Table.Td>
              <Table.Td style={NUM}>{money(d.deposit_cents ?? 0)}</Table.Td>
              <Table.Td style={NUM}>{overShortText(d.over_short_cents)}</Table.Td>
              <Table.Td>
                <PdfLinks id={d.id} closed />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Section>
  );
}

/** The open drawer: where and since when, the totals by tender and its payments, refreshed as payments come in. */
function OpenDrawer({ drawer, onCount }: { drawer: Drawer; onCount: () => void }) {
  return (
    <Section
      title={`Drawer ${drawer.id}: ${drawer.location}`}
      actions={
        <Button onClick={onCount} rightSection={<Kbd size="xs">c</Kbd>}>
          Count and close
        </Button>
      }
    >
      <Stack gap="sm">
        <Group gap="lg">
          <Badge color="green" variant="light" size="lg">
            Open
          </Badge>
          <Text size="sm">
            Opened {drawer.business_date} at {timeOf(drawer.opened_at)} with a float of {money(drawer.float_cents)}
          </Text>
        </Group>
        <Text size="sm" c="dimmed">
          Take payments on the account (press <Kbd size="xs">/</Kbd> to find it, then <Kbd size="xs">p</Kbd>): cash,
          checks and money orders go into this drawer.
        </Text>
        <TotalsTable drawer={drawer} />
        <DrawerPayments drawer={drawer} />
      </Stack>
    </Section>
  );
}

/** What the close did, with the report and the deposit slip; it takes focus so the cashier hears it. */
function Closed({ drawer }: { drawer: Drawer }) {
  const line = useRef<HTMLParagraphElement>(null);
  // After the closing dialog's effects: it hands focus back only when nothing else took it.
  useEffect(() => {
    const timer = setTimeout(() => line.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);
  return (
    <Paper withBorder p="md" component="section" aria-label={`Drawer ${drawer.id} closed`}>
      <Stack gap="xs">
        <Text ref={line} tabIndex={-1} role="status" data-testid="drawer-closed">
          Drawer {drawer.id} closed:{" "}
          <Text span fw={700} c={overShortColor(drawer.over_short_cents)}>
            {overShortText(drawer.over_short_cents).toLowerCase()}
          </Text>
          . Deposit {money(drawer.deposit_cents ?? 0)} to the bank; the {money(drawer.float_cents)} float goes back to
          the change fund. A supervisor signs it off.
        </Text>
        <PdfLinks id={drawer.id} closed />
      </Stack>
    </Paper>
  );
}

function MyDrawer({ supervisor }: { supervisor: boolean }) {
  const current = useQuery({
    queryKey: drawerKeys.current,
    queryFn: ({ signal }) => fetchCurrentDrawer(signal),
    retry: (n, err) => !missing(err) && n < 2,
    refetchInterval: (q) => (q.state.data ? 15_000 : false),
  });
  const [counting, setCounting] = useState(false);
  const [closed, setClosed] = useState<Drawer | null>(null);
  const drawer = current.data && !current.isError ? current.data : null;
  const none = current.isError && missing(current.error);
  useCommands([
    ...(drawer
      ? [
          {
            id: "drawer-close",
            label: "Count and close the drawer",
            description: "Type what you counted by tender; the over/short is worked out as you type",
            group: "This page" as const,
            shortcut: "c",
            keywords: ["close", "count", "balance", "end of day", "over short"],
            run: () => setCounting(true),
          },
        ]
      : []),
    {
      id: "drawer-refresh",
      label: "Refresh the drawer",
      description: "Read the drawer's totals and payments again",
      group: "This page",
      keywords: ["reload"],
      run: () => void current.refetch(),
    },
  ]);
  const finish = (done?: Drawer) => {
    setCounting(false);
    if (done) setClosed(done);
    else setTimeout(restoreFocus, 0);
  };
  return (
    <>
      {closed && <Closed drawer={closed} />}
      {current.isPending && <Loader size="sm" aria-label="Loading your drawer" />}
      {current.isError && !none && (
        <Alert color="red" role="alert" title="Your drawer did not load">
          {current.error.message}
        </Alert>
      )}
      {none && <OpenDrawerForm autoFocus={!supervisor} onOpened={() => setClosed(null)} />}
      {drawer && <OpenDrawer drawer={drawer} onCount={() => setCounting(true)} />}
      {drawer && <CloseDrawerModal drawer={drawer} opened={counting} onClose={finish} />}
      <MyDrawers />
    </>
  );
}

/**
 * The cash drawer: a cashier opens theirs with a float, watches its totals by tender and payments while it is open,
 * counts and closes it (`c`), and gets the drawer report and the deposit slip. Supervisors see the closed drawers
 * awaiting sign-off with their over/short, and sign them off.
 */
export function DrawerPage() {
  const canUse = useCan("drawers.use");
  const canSignOff = useCan("drawers.sign_off");
  if (!canUse && !canSignOff) return <NoAccess what="Cash drawer" />;
  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <PageTitle>Cash drawer</PageTitle>
        {/* A supervisor comes here mostly to sign drawers off: those first. */}
        {canSignOff && <SignOffQueue />}
        {canUse && <MyDrawer supervisor={canSignOff} />}
      </Stack>
    </Container>
  );
}
