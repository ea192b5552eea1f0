import {
  Accordion,
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Container,
  Divider,
  Group,
  Kbd,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { type KeyboardEvent, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { fetchTariff, type TariffDetail, tariffKey } from "./api.js";
import { FeatureBadges, OriginBadge } from "./Badges.js";
import { words } from "./format.js";
import { Prices } from "./Prices.js";
import { focusQuote, QuoteForm } from "./QuoteForm.js";
import classes from "./Tariffs.module.css";

/** Focuses the selected version's button in the versions table. */
const focusVersions = () => document.querySelector<HTMLElement>("[data-tariff-versions] button[tabindex='0']")?.focus();

/**
 * The versions, oldest first, with the span each is in force. One is selected (the current one on arrival); its
 * button is the table's stop in the tab order and ↑ ↓ move the selection.
 */
function Versions({
  tariff,
  selected,
  onSelect,
}: {
  tariff: TariffDetail;
  selected: string;
  onSelect: (from: string) => void;
}) {
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const list = tariff.versions;
  const index = list.findIndex((v) => v.effective_from === selected);
  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: list.length - 1 };
    if (!(event.key in keys) || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const next = list[Math.max(0, Math.min(list.length - 1, keys[event.key]!))];
    if (!next) return;
    onSelect(next.effective_from);
    buttons.current.get(next.effective_from)?.focus();
  };
  const current = tariff.current?.effective_from;
  return (
    <Table captionSide="top" verticalSpacing={4} maw={720} onKeyDown={onKeyDown} data-tariff-versions>
      <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
        Versions, oldest first
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Effective from</Table.Th>
          <Table.Th scope="col">Until</Table.Th>
          <Table.Th scope="col">State</Table.Th>
          {list.some((v) => v.urdb_label) && <Table.Th scope="col">URDB label</Table.Th>}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {list.map((v) => {
          const on = v.effective_from === selected;
          const future = current === undefined ? true : v.effective_from > current;
          return (
            <Table.Tr key={v.effective_from} className={on ? classes.selected : undefined}>
              <Table.Td>
                <UnstyledButton
                  ref={(el) => {
                    if (el) buttons.current.set(v.effective_from, el);
                    else buttons.current.delete(v.effective_from);
                  }}
                  className={classes.code}
                  tabIndex={on ? 0 : -1}
                  aria-pressed={on}
                  onClick={() => onSelect(v.effective_from)}
                >
                  {v.effective_from}
                </UnstyledButton>
              </Table.Td>
              <Table.Td>{v.effective_to ? `the day before ${v.effective_to}` : "in force until replaced"}</Table.Td>
              <Table.Td>
                {v.effective_from === current ? (
                  <Badge color="green" variant="light" size="sm">
                    Current
                  </Badge>
                ) : future ? (
                  <Badge color="blue" variant="light" size="sm">
                    Future
                  </Badge>
                ) : (
                  <Badge color="gray" variant="light" size="sm">
                    Past
                  </Badge>
                )}
              </Table.Td>
              {list.some((x) => x.urdb_label) && (
                <Table.Td ff="monospace" fz="sm">
                  {v.urdb_label ?? "—"}
                </Table.Td>
              )}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

function Tariff({ tariff }: { tariff: TariffDetail }) {
  const initial = tariff.current?.effective_from ?? tariff.versions[tariff.versions.length - 1]?.effective_from ?? "";
  const [selected, setSelected] = useState(initial);
  const version = tariff.document.versions.find((v) => v.effective_from === selected);
  useCommands([
    {
      id: "tariff-quote",
      label: `Quote a bill on ${tariff.code}`,
      description: "Price a period's usage on this tariff",
      group: "This page",
      shortcut: "q",
      keywords: ["calculate", "bill", "price", "estimate"],
      run: focusQuote,
    },
    {
      id: "tariff-versions",
      label: "Choose a version",
      description: "Go to the versions: ↑ ↓ show another version's prices",
      group: "This page",
      shortcut: "v",
      keywords: ["effective", "history", "prices"],
      run: focusVersions,
    },
  ]);
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Group gap="sm">
          <Text size="sm">{words(tariff.sector)}</Text>
          <FeatureBadges features={tariff.features} />
          <OriginBadge origin={tariff.origin} />
          <Text size="sm" c="gray.7">
            Time-of-use clock: {tariff.time_zone}
          </Text>
        </Group>
        {tariff.description && <Text size="sm">{tariff.description}</Text>}
        {tariff.source_url && (
          <Text size="sm">
            Published at{" "}
            <Anchor href={tariff.source_url} target="_blank" rel="noreferrer">
              {tariff.source_url}
            </Anchor>
          </Text>
        )}
      </Stack>
      <Versions tariff={tariff} selected={selected} onSelect={setSelected} />
      <Stack gap="sm" component="section" aria-labelledby="tariff-prices-title">
        <Title order={2} size="h4" id="tariff-prices-title">
          Prices from {selected}
        </Title>
        {version ? <Prices version={version} /> : <Text size="sm">This version is not in the document.</Text>}
      </Stack>
      <Accordion variant="contained" chevronPosition="left">
        <Accordion.Item value="json">
          <Accordion.Control>Raw JSON: the tariff document</Accordion.Control>
          <Accordion.Panel>
            <Code block className={classes.json} data-testid="tariff-json">
              {JSON.stringify(tariff.document, null, 2)}
            </Code>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
      <Divider />
      <Paper withBorder p="md" component="section" aria-labelledby="quote-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="quote-title">
            Quote a bill on {tariff.code}
          </Title>
          <QuoteForm code={tariff.code} />
        </Stack>
      </Paper>
    </Stack>
  );
}

function failure(err: Error, code: string): string {
  if (err instanceof ApiError && err.status === 404) return `There is no tariff ${code} in the book.`;
  return err.message;
}

/** One tariff: its header, versions, the selected version's prices, the raw document and the bill calculator. */
function TariffView() {
  const { code } = useParams({ from: "/tariffs/$code" });
  const tariff = useQuery({ queryKey: tariffKey(code), queryFn: ({ signal }) => fetchTariff(code, signal) });
  const data = tariff.data;
  return (
    <Container size="xl" px={0}>
      <Stack gap={4} mb="xs">
        <Anchor component={Link} to="/tariffs" size="sm">
          Tariff book
        </Anchor>
        {/* One heading from loading to loaded, so the focus put on it on arrival stays. */}
        <Group justify="space-between" align="flex-end">
          <PageTitle title={data ? `${data.code} ${data.name}` : code}>
            {data ? `${data.code}: ${data.name}` : code}
          </PageTitle>
          {data && (
            <Button onClick={focusQuote} variant="default" rightSection={<Kbd size="xs">q</Kbd>}>
              Quote a bill
            </Button>
          )}
        </Group>
      </Stack>
      {tariff.isPending && <Loader size="sm" aria-label="Loading the tariff" />}
      {tariff.isError && (
        <Alert color="red" role="alert" title="The tariff did not load">
          {failure(tariff.error, code)} <Link to="/tariffs">Open the tariff book</Link>.
        </Alert>
      )}
      {data && <Tariff key={data.code} tariff={data} />}
    </Container>
  );
}

export function TariffPage() {
  return useCan("tariffs.read") ? <TariffView /> : <NoAccess what="Tariff book" />;
}
