import { Kbd, Modal, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { type Command, useRegisteredCommands } from "../commands/registry.js";

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

interface Row {
  keys: ReactNode;
  what: string;
}

const keys = (...k: string[]) => (
  <>
    {k.map((key, i) => (
      <span key={key}>
        {i > 0 && " "}
        <Kbd>{key}</Kbd>
      </span>
    ))}
  </>
);

const SEARCH_BOX: Row[] = [
  { keys: keys("↓", "↑"), what: "Move through the results" },
  { keys: keys("Enter"), what: "Open the highlighted account (the best match unless you moved)" },
  { keys: keys("Esc"), what: "Close the results; press again to clear the box" },
];

const DIALOGS: Row[] = [
  { keys: keys("Tab", "Shift Tab"), what: "Move between fields" },
  { keys: keys("Esc"), what: "Close without saving; focus goes back where it was" },
];

const commandRows = (commands: Command[]): Row[] =>
  commands.filter((c) => c.shortcut).map((c) => ({ keys: keys(c.shortcut!), what: c.label }));

function Section({ title, rows }: { title: string; rows: Row[] }) {
  if (rows.length === 0) return null;
  return (
    <Table.Tbody>
      <Table.Tr>
        <Table.Th colSpan={2} scope="colgroup" pt="md">
          {title}
        </Table.Th>
      </Table.Tr>
      {rows.map((r) => (
        <Table.Tr key={r.what}>
          <Table.Td>{r.keys}</Table.Td>
          <Table.Td>{r.what}</Table.Td>
        </Table.Tr>
      ))}
    </Table.Tbody>
  );
}

/** The list of every keyboard shortcut, the current page's included (opened with ?). */
export function ShortcutsModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const commands = useRegisteredCommands();
  const page = commandRows(commands.filter((c) => c.group === "This page"));
  const anywhere = [
    { keys: keys(isMac ? "⌘ K" : "Ctrl K"), what: "Command palette: every action on this page and beyond" },
    ...commandRows(commands.filter((c) => c.group !== "This page")),
  ];
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size="lg">
      <Text size="sm" mb="xs">
        One-key shortcuts work whenever you are not typing in a field.
      </Text>
      <Table withRowBorders={false} verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col" w={150}>
              Keys
            </Table.Th>
            <Table.Th scope="col">What they do</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Section title="Anywhere" rows={anywhere} />
        <Section title="On this page" rows={page} />
        <Section title="In the search box" rows={SEARCH_BOX} />
        <Section title="In dialogs" rows={DIALOGS} />
      </Table>
    </Modal>
  );
}
