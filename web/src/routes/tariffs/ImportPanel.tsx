import {
  Alert,
  Anchor,
  Button,
  FileInput,
  Group,
  List,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ApiError } from "../../api/client.js";
import { addTariff, type ImportAnswer, importUrdb, TARIFFS_KEY, type TariffSummary } from "./api.js";
import { readJsonFile } from "./format.js";

/** Mantine's placeholder grey is below 4.5:1 on white; the workstation's secondary grey meets AA. */
const PLACEHOLDER = { placeholder: { color: "var(--mantine-color-gray-7)" } };

/** Puts focus on the URDB file field (Enter opens the file chooser). */
export const focusUrdbFile = () => document.querySelector<HTMLElement>("[data-urdb-file]")?.focus();
/** Puts focus on the tariff file field. */
export const focusTariffFile = () => document.querySelector<HTMLElement>("[data-tariff-file]")?.focus();

/** Why the server refused a file: its message and each field it named. */
function Refused({ error, title }: { error: Error; title: string }) {
  const listed =
    error instanceof ApiError ? ((error.problem.errors ?? []) as { field?: string; message: string }[]) : [];
  return (
    <Alert color="red" role="alert" title={title} data-testid="tariff-import-refused">
      {/* The detail often repeats the one field named: then the list says it. */}
      {!listed.some((e) => e.field && error.message.startsWith(`${e.field}: `)) && (
        <Text size="sm">{error.message}</Text>
      )}
      {listed.length > 0 && (
        <List size="sm" mt={4} aria-label="Problems in the file">
          {listed.map((e) => (
            <List.Item key={`${e.field}-${e.message}`}>
              {e.field ? (
                <Text span ff="monospace" size="sm">
                  {e.field}
                </Text>
              ) : (
                "File"
              )}
              : {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

const TariffLink = ({ code }: { code: string }) => (
  // indigo.9, underlined: a link on an alert's tint keeps 4.5:1 and reads as a link.
  <Anchor
    renderRoot={(props) => <Link {...props} to="/tariffs/$code" params={{ code }} />}
    fw={600}
    c="indigo.9"
    underline="always"
  >
    {code}
  </Anchor>
);

/** Import URDB rate records from a JSON file (one record, an array, or the API's { items }). */
function UrdbImport() {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [code, setCode] = useState("");
  const run = useMutation({
    mutationFn: async ({ f, c }: { f: File; c: string }) => importUrdb(await readJsonFile(f), c.trim()),
    onSuccess: () => void client.invalidateQueries({ queryKey: TARIFFS_KEY }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file || run.isPending) return;
    run.mutate({ f: file, c: code });
  };
  const answer: ImportAnswer | undefined = run.data;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="urdb-import-title">
      <form onSubmit={submit} aria-label="Import URDB record" noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="urdb-import-title">
            Import URDB record
          </Title>
          <Text size="sm">
            A rate record from OpenEI's Utility Rate Database (JSON): one record, a list, or the API's answer with its
            items. Each becomes a tariff in the book.
          </Text>
          <Group align="flex-start" gap="sm" grow>
            <FileInput
              label="URDB file"
              placeholder="Choose a file"
              styles={PLACEHOLDER}
              accept=".json,application/json"
              value={file}
              onChange={(f) => {
                setFile(f);
                run.reset();
              }}
              clearable
              clearButtonProps={{ "aria-label": "Clear the URDB file chosen" }}
              data-urdb-file
            />
            <TextInput
              label="Code"
              description="For one record; else made from its label"
              autoComplete="off"
              maxLength={40}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
            />
          </Group>
          <Group>
            <Button type="submit" disabled={!file} loading={run.isPending}>
              Import
            </Button>
          </Group>
          {run.error && <Refused error={run.error} title="Not imported" />}
          {answer && (
            <Alert color="green" role="status" title="Imported" data-testid="urdb-imported">
              <List size="sm">
                {answer.imported.map((t) => (
                  <List.Item key={t.code}>
                    <TariffLink code={t.code} />: {t.name}, in force from {t.effective_from}
                  </List.Item>
                ))}
              </List>
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

/** Add a tariff from a Kilowatt tariff file (docs/tariff-format.md). */
function AddTariff() {
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const run = useMutation({
    mutationFn: async (f: File) => addTariff(await readJsonFile(f)),
    onSuccess: () => void client.invalidateQueries({ queryKey: TARIFFS_KEY }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file || run.isPending) return;
    run.mutate(file);
  };
  const added: TariffSummary | undefined = run.data;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tariff-add-title">
      <form onSubmit={submit} aria-label="Add tariff" noValidate>
        <Stack gap="sm">
          <Title order={2} size="h4" id="tariff-add-title">
            Add tariff
          </Title>
          <Text size="sm">
            A tariff written in the Kilowatt tariff format (JSON), with its versions. A code already in the book is
            refused: a price change is a new version of that tariff.
          </Text>
          <FileInput
            label="Tariff file"
            placeholder="Choose a file"
            styles={PLACEHOLDER}
            accept=".json,application/json"
            value={file}
            onChange={(f) => {
              setFile(f);
              run.reset();
            }}
            clearable
            clearButtonProps={{ "aria-label": "Clear the tariff file chosen" }}
            data-tariff-file
          />
          <Group>
            <Button type="submit" disabled={!file} loading={run.isPending}>
              Add tariff
            </Button>
          </Group>
          {run.error && <Refused error={run.error} title="Not added" />}
          {added && (
            <Alert color="green" role="status" title="Added" data-testid="tariff-added">
              <TariffLink code={added.code} />: {added.name},{" "}
              {added.versions.length === 1 ? "1 version" : `${added.versions.length} versions`}
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

/** The tariff book's imports, for those who manage tariffs: URDB records and Kilowatt tariff files. */
export function ImportPanel() {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <UrdbImport />
      <AddTariff />
    </SimpleGrid>
  );
}
