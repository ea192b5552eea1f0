import { Alert, Anchor, Badge, Chip, Container, Group, Kbd, List, Loader, Stack, Table, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { fetchWorklist, STEP_WORDS, type Step, WORKLIST_KEY, type WorklistEntry } from "../../api/collections.js";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useRowCursor } from "../../components/useRowCursor.js";
import { useCan } from "../../user.js";
import { money } from "../account/money.js";
import { count } from "../billing/words.js";
import classes from "./Collections.module.css";

const ALL = "all";
const STEPS = Object.keys(STEP_WORDS) as Step[];

export const STEP_COLOR: Record<Step, string> = {
  reminder: "yellow",
  notice: "orange",
  final_notice: "red",
  disconnect_ordered: "red",
  disconnected: "dark",
};

// The account last opened from the list: coming back, the cursor is on it again.
let lastOpened: number | null = null;

const idOf = (e: WorklistEntry) => e.account_id;

/** The row as a screen reader hears it when it takes focus. */
const rowLabel = (e: WorklistEntry) =>
  `Account ${e.account_number}, ${e.name}: ${STEP_WORDS[e.step].toLowerCase()} since ${e.step_on}, ` +
  `${money(e.past_due_cents)} past due since ${e.oldest_due}` +
  (e.next ? `; next ${STEP_WORDS[e.next.step].toLowerCase()} on ${e.next.on}` : "") +
  (e.blocked_reason ? `; held: ${e.blocked_reason}` : "");

function Worklist() {
  const canKeyHeat = useCan("collections.protect");
  const canReadOrders = useCan("orders.read");
  const { step } = useSearch({ from: "/collections" });
  const navigate = useNavigate();
  const list = useQuery({
    queryKey: [...WORKLIST_KEY, step ?? ALL],
    queryFn: ({ signal }) => fetchWorklist(step ?? null, signal),
    placeholderData: keepPreviousData,
  });
  const entries = list.data?.entries;
  const openAccount = (e: WorklistEntry) => {
    lastOpened = e.account_id;
    void navigate({
      to: "/accounts/$accountId",
      params: { accountId: String(e.account_id) },
      search: { section: "collections" },
    });
  };
  const cursor = useRowCursor(entries, idOf, { onOpen: openAccount, start: lastOpened });
  const show = (s: string) => void navigate({ to: "/collections", search: s === ALL ? {} : { step: s as Step } });

  useCommands([
    {
      id: "worklist-open",
      label: "Open the selected account",
      description: "The account with its collections section in view",
      group: "This page",
      keywords: ["open", "account", "collections"],
      run: () => cursor.selected && openAccount(cursor.selected),
    },
    {
      id: "worklist-list",
      label: "Go to the worklist",
      description: "Put the cursor on the selected account in the list",
      group: "This page",
      shortcut: "q",
      keywords: ["queue", "list"],
      run: cursor.focusSelected,
    },
    ...STEPS.map((s) => ({
      id: `worklist-step-${s}`,
      label: `Show only: ${STEP_WORDS[s]}`,
      group: "This page" as const,
      keywords: ["filter", "step"],
      run: () => show(s),
    })),
    {
      id: "worklist-all",
      label: "Show every step",
      group: "This page",
      keywords: ["filter", "all", "clear"],
      run: () => show(ALL),
    },
    {
      id: "worklist-refresh",
      label: "Refresh the worklist",
      group: "This page",
      keywords: ["reload"],
      run: () => void list.refetch(),
    },
  ]);

  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <PageTitle>Collections worklist</PageTitle>
        <List size="sm" spacing={2} c="gray.7">
          <List.Item>
            Accounts in collections, most at stake first: the amount past due weighted by the step, how long it is late
            and the customer&apos;s history (disconnections and broken arrangements in two years). The list is as the
            morning&apos;s run left it{list.data ? ` (${list.data.as_of})` : ""}.
            {canReadOrders && (
              <>
                {" The disconnect and reconnect orders are on "}
                <Anchor component={Link} to="/orders" size="sm" c="dark" underline="always">
                  Field orders
                </Anchor>
                .
              </>
            )}
            {canKeyHeat && (
              <>
                {" Forecast highs that hold disconnection are keyed on "}
                <Anchor component={Link} to="/collections/heat" size="sm" c="dark" underline="always">
                  Heat forecasts
                </Anchor>
                .
              </>
            )}
          </List.Item>
          <List.Item>
            <Kbd>j</Kbd> <Kbd>k</Kbd> or <Kbd>↓</Kbd> <Kbd>↑</Kbd> choose an account, <Kbd>Enter</Kbd> opens it at its
            collections section, <Kbd>q</Kbd> back to the list.
          </List.Item>
        </List>
        <Chip.Group multiple={false} value={step ?? ALL} onChange={show}>
          <Group gap="xs" role="group" aria-label="Show the accounts at">
            <Chip value={ALL} size="sm" variant="outline">
              Every step
            </Chip>
            {STEPS.map((s) => (
              <Chip key={s} value={s} size="sm" variant="outline">
                {STEP_WORDS[s]}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
        {list.isPending && <Loader size="sm" aria-label="Loading the worklist" />}
        {list.isError && (
          <Alert color="red" role="alert" title="The worklist did not load">
            {list.error.message}
          </Alert>
        )}
        {entries && entries.length === 0 && (
          <Text>
            {step ? `No account is at the ${STEP_WORDS[step].toLowerCase()} step.` : "No account is in collections."}
          </Text>
        )}
        {entries && entries.length > 0 && (
          <Table
            captionSide="top"
            verticalSpacing="xs"
            withTableBorder
            highlightOnHover
            data-worklist
            aria-busy={list.isFetching || undefined}
          >
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              Most at stake first ({count(entries.length, "account")}
              {step ? `, ${STEP_WORDS[step].toLowerCase()}` : ""})
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Account</Table.Th>
                <Table.Th scope="col">Customer</Table.Th>
                <Table.Th scope="col">Step</Table.Th>
                <Table.Th scope="col" className={classes.num}>
                  Past due
                </Table.Th>
                <Table.Th scope="col">Oldest due</Table.Th>
                <Table.Th scope="col">Next</Table.Th>
                <Table.Th scope="col">Held</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e, i) => (
                <Table.Tr
                  key={e.account_id}
                  className={classes.row}
                  aria-label={rowLabel(e)}
                  data-testid="worklist-entry"
                  {...cursor.rowProps(e, i)}
                >
                  <Table.Td>
                    <Anchor
                      className={classes.mono}
                      size="sm"
                      c="indigo.9"
                      tabIndex={-1}
                      renderRoot={(props) => (
                        <Link
                          {...props}
                          to="/accounts/$accountId"
                          params={{ accountId: String(e.account_id) }}
                          search={{ section: "collections" }}
                          onClick={() => {
                            lastOpened = e.account_id;
                          }}
                        />
                      )}
                    >
                      {e.account_number}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{e.name}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={STEP_COLOR[e.step]}>
                      {STEP_WORDS[e.step]}
                    </Badge>
                    <Text size="xs" c="gray.7">
                      since {e.step_on}
                    </Text>
                  </Table.Td>
                  <Table.Td className={classes.num} fw={600}>
                    {money(e.past_due_cents)}
                  </Table.Td>
                  <Table.Td className={classes.nowrap}>
                    {e.oldest_due}
                    <Text size="xs" c="gray.7">
                      {count(e.days_past_due, "day")} late
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {e.next ? (
                      <>
                        {STEP_WORDS[e.next.step]}
                        <Text size="xs" c="gray.7">
                          on {e.next.on}
                        </Text>
                      </>
                    ) : e.disconnect_from && e.step !== "disconnected" ? (
                      `Disconnection from ${e.disconnect_from}`
                    ) : (
                      "—"
                    )}
                  </Table.Td>
                  <Table.Td>
                    {e.blocked_reason ? (
                      <>
                        <Text size="sm">{e.blocked_reason}</Text>
                        <Text size="xs" c="gray.7" className={classes.mono}>
                          {e.blocked_rule}
                        </Text>
                      </>
                    ) : (
                      "—"
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Container>
  );
}

/** The collector's worklist: accounts in collections, ranked, each opening at its collections section. */
export function WorklistPage() {
  return useCan("collections.read") ? <Worklist /> : <NoAccess what="Collections worklist" />;
}
