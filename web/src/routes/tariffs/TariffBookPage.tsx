import {
  Alert,
  Anchor,
  Button,
  Container,
  Group,
  Kbd,
  Loader,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type KeyboardEvent, useRef, useState } from "react";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { fetchTariffs, SECTORS, TARIFFS_KEY, type TariffSummary } from "./api.js";
import { FeatureBadges, OriginBadge } from "./Badges.js";
import { words } from "./format.js";
import { focusTariffFile, focusUrdbFile, ImportPanel } from "./ImportPanel.js";
import classes from "./Tariffs.module.css";

const focusFilter = () => document.querySelector<HTMLInputElement>("[data-tariff-filter]")?.focus();

function matches(t: TariffSummary, text: string, sector: string): boolean {
  if (sector && t.sector !== sector) return false;
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = [t.code, t.name, t.description ?? "", t.sector].join(" ").toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * The tariffs, filtered as the person types. Focus starts in the filter: ↓ goes to the tariffs, ↑ ↓ Home End move
 * among them, Enter opens the one with focus (Enter in the filter opens the highlighted one, the first match unless
 * the person moved).
 */
function Book() {
  const navigate = useNavigate();
  const canManage = useCan("tariffs.manage");
  const tariffs = useQuery({ queryKey: TARIFFS_KEY, queryFn: ({ signal }) => fetchTariffs(signal) });
  const [text, setText] = useState("");
  const [sector, setSector] = useState("");
  const [selected, setSelected] = useState(0);
  const rows = useRef<(HTMLAnchorElement | null)[]>([]);
  const shown = (tariffs.data ?? []).filter((t) => matches(t, text, sector));
  const index = Math.min(selected, Math.max(0, shown.length - 1));
  const current = shown[index];

  const open = (t: TariffSummary | undefined) => {
    if (t) void navigate({ to: "/tariffs/$code", params: { code: t.code } });
  };
  const moveTo = (to: number) => {
    if (shown.length === 0) return;
    const next = Math.max(0, Math.min(shown.length - 1, to));
    setSelected(next);
    rows.current[next]?.focus();
  };
  const onFilterKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      moveTo(index);
    } else if (event.key === "Enter") {
      event.preventDefault();
      open(current);
    }
  };
  const onTableKey = (event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowUp" && index === 0) {
      event.preventDefault();
      focusFilter();
      return;
    }
    const keys: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: shown.length - 1 };
    if (!(event.key in keys)) return;
    event.preventDefault();
    moveTo(keys[event.key]!);
  };

  useCommands([
    {
      id: "tariffs-filter",
      label: "Filter the tariff book",
      description: "Type a code, a name or a sector",
      group: "This page",
      shortcut: "f",
      keywords: ["find", "search", "tariff"],
      run: focusFilter,
    },
    ...(canManage
      ? [
          {
            id: "tariffs-import-urdb",
            label: "Import URDB record",
            description: "Choose a URDB rate record file (JSON) and import it into the book",
            group: "This page" as const,
            shortcut: "i",
            keywords: ["upload", "openei", "utility rate database", "json"],
            run: focusUrdbFile,
          },
          {
            id: "tariffs-add",
            label: "Add tariff",
            description: "Choose a Kilowatt tariff file (JSON) and add it to the book",
            group: "This page" as const,
            shortcut: "a",
            keywords: ["upload", "new", "create", "json"],
            run: focusTariffFile,
          },
        ]
      : []),
  ]);

  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-end">
          <PageTitle>Tariff book</PageTitle>
          <Group gap="xs">
            <Button component={Link} to="/tariffs/quote" variant="default" size="xs">
              Quote a bill
            </Button>
            <Button component={Link} to="/tariffs/compare" variant="default" size="xs">
              Compare rates
            </Button>
          </Group>
        </Group>
        <Text size="sm" c="gray.7">
          The rate schedules Kilowatt prices bills by, each with its effective-dated versions.
        </Text>
        <Group align="flex-end" gap="sm">
          <TextInput
            label="Filter"
            placeholder="Code, name or sector"
            styles={{ input: { minWidth: 280 } }}
            autoComplete="off"
            value={text}
            onChange={(e) => {
              setText(e.currentTarget.value);
              setSelected(0);
            }}
            onKeyDown={onFilterKey}
            data-tariff-filter
            data-page-focus
            aria-describedby="tariff-book-keys"
          />
          <NativeSelect
            label="Sector"
            value={sector}
            onChange={(e) => {
              setSector(e.currentTarget.value);
              setSelected(0);
            }}
            data={[{ value: "", label: "All sectors" }, ...SECTORS.map((s) => ({ value: s, label: words(s) }))]}
          />
        </Group>
        <Text size="xs" c="gray.7" id="tariff-book-keys">
          <Kbd size="xs">↓</Kbd> <Kbd size="xs">↑</Kbd> choose a tariff, <Kbd size="xs">Enter</Kbd> opens it.
        </Text>
        {tariffs.isPending && <Loader size="sm" aria-label="Loading the tariff book" />}
        {tariffs.isError && (
          <Alert color="red" role="alert" title="The tariff book did not load">
            {tariffs.error.message}
          </Alert>
        )}
        {tariffs.data && shown.length === 0 && (
          <Text size="sm" role="status">
            {tariffs.data.length === 0 ? "The tariff book is empty." : "No tariff matches the filter."}
          </Text>
        )}
        {shown.length > 0 && (
          <Table captionSide="top" verticalSpacing={4} highlightOnHover onKeyDown={onTableKey} data-tariff-book>
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              {shown.length === 1 ? "1 tariff" : `${shown.length} tariffs`}, by code
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Code</Table.Th>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Sector</Table.Th>
                <Table.Th scope="col">Prices by</Table.Th>
                <Table.Th scope="col">Current version</Table.Th>
                <Table.Th scope="col">Origin</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((t, i) => (
                <Table.Tr key={t.code} className={i === index ? classes.selected : undefined} data-testid="tariff-row">
                  <Table.Th scope="row" fw={400}>
                    <Anchor
                      ref={(el: HTMLAnchorElement | null) => {
                        rows.current[i] = el;
                      }}
                      renderRoot={(props) => <Link {...props} to="/tariffs/$code" params={{ code: t.code }} />}
                      tabIndex={i === index ? 0 : -1}
                      onFocus={() => setSelected(i)}
                      className={classes.code}
                      // indigo.8 keeps 4.5:1 on the selected row's tint
                      c="indigo.8"
                    >
                      {t.code}
                    </Anchor>
                  </Table.Th>
                  <Table.Td>{t.name}</Table.Td>
                  <Table.Td>{words(t.sector)}</Table.Td>
                  <Table.Td>
                    <FeatureBadges features={t.features} />
                  </Table.Td>
                  <Table.Td>{t.current ? `from ${t.current.effective_from}` : "not yet in force"}</Table.Td>
                  <Table.Td>
                    <OriginBadge origin={t.origin} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canManage && <ImportPanel />}
      </Stack>
    </Container>
  );
}

/** The tariff book: every tariff, filtered by text and sector; imports for those who manage tariffs. */
export function TariffBookPage() {
  return useCan("tariffs.read") ? <Book /> : <NoAccess what="Tariff book" />;
}
