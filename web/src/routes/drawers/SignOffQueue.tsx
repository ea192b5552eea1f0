import {
  Alert,
  Anchor,
  Button,
  Group,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { type DrawerSummary, drawerKeys, drawerReportUrl, fetchDrawers, signOffDrawer } from "../../api/drawers.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { Section } from "../account/AccountSections.js";
import { money } from "../account/money.js";
import { NUM } from "./DrawerTables.js";
import { overShortColor, overShortText } from "./words.js";

/** A supervisor signs off one closed drawer, with an optional note; the report is one Shift+Tab away. */
function SignOffModal({ drawer, onClose }: { drawer: DrawerSummary | null; onClose: (done?: string) => void }) {
  const [note, setNote] = useState("");
  const [shown, setShown] = useState<DrawerSummary | null>(drawer);
  if (drawer && drawer !== shown) setShown(drawer);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (d: DrawerSummary) =>
      signOffDrawer(d.id, { ...(note.trim() ? { note: note.trim() } : {}), version: d.version }),
    onSuccess: (d) => {
      void client.invalidateQueries({ queryKey: drawerKeys.all });
      onClose(`Drawer ${d.id} (${d.cashier_name}) signed off: ${overShortText(d.over_short_cents).toLowerCase()}.`);
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!drawer) return;
    setNote("");
    save.reset();
  }, [drawer]);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (shown && !save.isPending) save.mutate(shown);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  return (
    // The queue puts focus where it belongs when this closes (the line saying what happened).
    <Modal
      opened={drawer !== null}
      onClose={() => onClose()}
      title={`Sign off drawer ${shown?.id ?? ""}`}
      size="lg"
      returnFocus={false}
    >
      {shown && (
        <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label={`Sign off drawer ${shown.id}`}>
          <Stack gap="sm">
            <Text>
              {shown.cashier_name} ({shown.cashier}), {shown.location}, {shown.business_date}: expected{" "}
              {money(shown.expected_cents)}, deposit {money(shown.deposit_cents ?? 0)},{" "}
              <Text span fw={700} c={overShortColor(shown.over_short_cents)}>
                {overShortText(shown.over_short_cents).toLowerCase()}
              </Text>
              .
            </Text>
            {shown.close_note && <Text size="sm">Cashier's note: {shown.close_note}</Text>}
            <Anchor href={drawerReportUrl(shown.id)} target="_blank" rel="noopener">
              Open the drawer report (PDF)
            </Anchor>
            {save.isError && (
              <Alert color="red" role="alert" title="Not signed off">
                {save.error.message}
              </Alert>
            )}
            <TextInput
              data-autofocus
              label="Note"
              description="Optional: what you checked"
              autoComplete="off"
              maxLength={1000}
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
            />
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="dimmed">
                Ctrl+Enter signs off
              </Text>
              <Group>
                <Button variant="default" onClick={() => onClose()}>
                  Cancel
                </Button>
                <Button type="submit" loading={save.isPending}>
                  Sign off
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** Closed drawers waiting for a supervisor's sign-off, oldest business date last, with their over/short. */
export function SignOffQueue() {
  const waiting = useQuery({
    queryKey: [...drawerKeys.all, "list", "closed"],
    queryFn: ({ signal }) => fetchDrawers({ status: "closed" }, signal),
    refetchInterval: 30_000,
  });
  const [signing, setSigning] = useState<DrawerSummary | null>(null);
  const { notice, ref: noticeLine, say } = useNotice();
  const close = (done?: string) => {
    setSigning(null);
    // The row's button may be gone (a reversed payment has none): the line saying what happened takes focus.
    if (done) say(done);
    else setTimeout(restoreFocus, 0);
  };
  const drawers = waiting.data?.drawers ?? [];
  return (
    <Section title="Drawers awaiting sign-off">
      <Stack gap="xs">
        {notice && (
          <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} data-testid="sign-off-notice">
            {notice}
          </Text>
        )}
        {waiting.isPending && <Loader size="sm" aria-label="Loading the drawers" />}
        {waiting.isError && <Alert color="red">{waiting.error.message}</Alert>}
        {waiting.data && drawers.length === 0 && <Text size="sm">No closed drawers are waiting.</Text>}
        {drawers.length > 0 && (
          <Table striped verticalSpacing={4} aria-label="Closed drawers awaiting sign-off">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Drawer</Table.Th>
                <Table.Th scope="col">Date</Table.Th>
                <Table.Th scope="col">Cashier</Table.Th>
                <Table.Th scope="col">Location</Table.Th>
                <Table.Th scope="col" style={NUM}>
                  Expected
                </Table.Th>
                <Table.Th scope="col" style={NUM}>
                  Over/short
                </Table.Th>
                <Table.Th scope="col">Note</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {drawers.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{d.id}</Table.Td>
                  <Table.Td>{d.business_date}</Table.Td>
                  <Table.Td>{d.cashier_name}</Table.Td>
                  <Table.Td>{d.location}</Table.Td>
                  <Table.Td style={NUM}>{money(d.expected_cents)}</Table.Td>
                  <Table.Td style={NUM}>
                    <Text span size="sm" fw={600} c={overShortColor(d.over_short_cents)}>
                      {overShortText(d.over_short_cents)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{d.close_note ?? ""}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Anchor href={drawerReportUrl(d.id)} target="_blank" rel="noopener" size="sm">
                        Report<VisuallyHidden> of drawer {d.id}</VisuallyHidden>
                      </Anchor>
                      <Button
                        size="xs"
                        variant="light"
                        aria-label={`Sign off drawer ${d.id}`}
                        onClick={() => setSigning(d)}
                      >
                        Sign off
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      <SignOffModal drawer={signing} onClose={close} />
    </Section>
  );
}
