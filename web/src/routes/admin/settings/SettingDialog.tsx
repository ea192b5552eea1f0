import { Alert, Button, Code, Divider, Modal, SimpleGrid, Stack, Table, Text, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { fetchSetting, type Setting, settingKeys } from "../../../api/settings.js";
import { rangeWords, summary } from "./describe.js";
import classes from "./Settings.module.css";
import { type FormMode, VersionForm } from "./VersionForm.js";

/** When a version was saved, in the workstation's local time. */
const savedAt = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

/** The dated versions, earliest first, each with a Change button for those who manage settings. */
function Schedule({
  setting,
  canManage,
  onChange,
}: {
  setting: Setting;
  canManage: boolean;
  onChange: (row: Setting["schedule"][number]) => void;
}) {
  if (setting.schedule.length === 0) {
    return <Text size="sm">No dated versions: the default applies on every date.</Text>;
  }
  return (
    <Table captionSide="top" verticalSpacing={4} withTableBorder aria-label="Dated versions">
      <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
        Dated versions, earliest first
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">From</Table.Th>
          <Table.Th scope="col">To</Table.Th>
          <Table.Th scope="col">Value</Table.Th>
          <Table.Th scope="col">Saved by</Table.Th>
          {canManage && <Table.Th scope="col">Actions</Table.Th>}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {setting.schedule.map((row) => (
          <Table.Tr key={row.effective_from}>
            <Table.Th scope="row" fw={400} style={{ whiteSpace: "nowrap" }}>
              {row.effective_from}
            </Table.Th>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{row.effective_to ?? "open-ended"}</Table.Td>
            <Table.Td>{summary(setting, row.value, 6)}</Table.Td>
            <Table.Td>
              {row.updated_by}
              <Text size="xs" c="gray.7">
                {savedAt(row.updated_at)}
              </Text>
            </Table.Td>
            {canManage && (
              <Table.Td>
                <Button size="xs" variant="light" onClick={() => onChange(row)}>
                  Change<VisuallyHidden> the version {rangeWords(row.effective_from, row.effective_to)}</VisuallyHidden>
                </Button>
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * One setting: what it is, its value today and its default, its dated versions, and (for those who manage
 * settings) the form that adds a version or changes one. Closing it with a change saved hands the caller the words
 * that say what changed.
 */
export function SettingDialog({
  setting: listed,
  canManage,
  onClose,
}: {
  setting: Setting | null;
  canManage: boolean;
  onClose: (said?: string) => void;
}) {
  // The dialog keeps showing the setting while it fades out.
  const [shown, setShown] = useState<Setting | null>(listed);
  if (listed && listed !== shown && listed.key !== shown?.key) setShown(listed);
  const key = (listed ?? shown)?.key ?? "";
  const fresh = useQuery({
    queryKey: settingKeys.one(key),
    queryFn: ({ signal }) => fetchSetting(key, signal),
    enabled: listed !== null,
    placeholderData: listed ?? undefined,
  });
  const setting = fresh.data ?? shown;
  const [mode, setMode] = useState<FormMode>({ kind: "new" });
  // Each opening starts afresh: a new version, prefilled from today's value, nothing left from the last time.
  const [opening, setOpening] = useState({ n: 0, key: listed?.key ?? null });
  if ((listed?.key ?? null) !== opening.key) {
    setOpening({ n: opening.n + 1, key: listed?.key ?? null });
    if (listed) setMode({ kind: "new" });
  }
  const defaultWords = setting ? summary(setting, setting.default, 6) : "";

  return (
    <Modal
      opened={listed !== null}
      onClose={() => onClose()}
      title={<span style={{ fontFamily: "var(--mantine-font-family-monospace)" }}>{setting?.key}</span>}
      size={980}
      returnFocus={false}
    >
      {setting && (
        <Stack gap="md">
          <Text size="sm">{setting.description}</Text>
          <dl style={{ margin: 0 }}>
            <Text component="dt" size="xs" fw={600} c="gray.7">
              Today
            </Text>
            <Text component="dd" size="sm" m={0} mb={4} data-testid="setting-today">
              {summary(setting, setting.current, 6)}
            </Text>
            <Text component="dt" size="xs" fw={600} c="gray.7">
              Default (when no dated version applies)
            </Text>
            <Text component="dd" size="sm" m={0}>
              {defaultWords === "the default" ? "as shipped" : defaultWords}
            </Text>
          </dl>
          {typeof setting.current === "object" && setting.current !== null && (
            <details>
              <summary style={{ cursor: "pointer", fontSize: "var(--mantine-font-size-sm)" }}>
                Today's value and the default in full (JSON)
              </summary>
              <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
                <Code block aria-label="Today's value (JSON)" tabIndex={0} className={classes.json}>
                  {JSON.stringify(setting.current, null, 2)}
                </Code>
                <Code block aria-label="The default (JSON)" tabIndex={0} className={classes.json}>
                  {JSON.stringify(setting.default, null, 2)}
                </Code>
              </SimpleGrid>
            </details>
          )}
          {fresh.isError && (
            <Alert color="red" role="alert" title="The setting did not load">
              {fresh.error.message}
            </Alert>
          )}
          <Schedule setting={setting} canManage={canManage} onChange={(row) => setMode({ kind: "edit", row })} />
          <Divider />
          {canManage ? (
            <VersionForm
              key={`${opening.n}:${mode.kind === "edit" ? mode.row.effective_from : "new"}`}
              setting={setting}
              mode={mode}
              onNew={() => {
                setMode({ kind: "new" });
                requestAnimationFrame(() => document.getElementById("setting-effective-from")?.focus());
              }}
              onSaved={(said) => {
                setMode({ kind: "new" });
                onClose(said);
              }}
            />
          ) : (
            <Text size="sm" c="gray.7">
              Read only: changing settings needs the settings.manage permission (administrators).
            </Text>
          )}
        </Stack>
      )}
    </Modal>
  );
}
