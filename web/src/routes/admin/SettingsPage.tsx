import { Alert, Container, Kbd, List, Loader, Stack, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useRef, useState } from "react";
import { listSettings, type Setting, settingKeys } from "../../api/settings.js";
import { useCommands } from "../../commands/registry.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { useCan } from "../../user.js";
import { groupOf, groupTitle } from "./settings/describe.js";
import { SettingDialog } from "./settings/SettingDialog.js";
import { listOrder, SettingsList } from "./settings/SettingsList.js";

const focusFilter = () => document.querySelector<HTMLInputElement>("[data-settings-filter]")?.focus();

function matches(s: Setting, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = [s.key, s.description, groupTitle(groupOf(s.key))].join(" ").toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * Every effective-dated setting by group, filtered as the admin types: focus starts in the filter, ↓ goes to the
 * settings, Enter opens one (its schedule and the form for a dated version). A saved change is said in a line that
 * takes focus.
 */
function Settings() {
  const canManage = useCan("settings.manage");
  const settings = useQuery({ queryKey: settingKeys.list(), queryFn: ({ signal }) => listSettings(signal) });
  const [text, setText] = useState("");
  const [selected, setSelected] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const { notice, ref: noticeLine, say } = useNotice();
  const shown = listOrder((settings.data?.settings ?? []).filter((s) => matches(s, text)));
  const index = Math.min(selected, Math.max(0, shown.length - 1));
  const opened = settings.data?.settings.find((s) => s.key === open) ?? null;

  // Enter typed before the list has loaded opens the first match once it has: a fast typist loses nothing.
  const [enterWaiting, setEnterWaiting] = useState(false);
  if (enterWaiting && settings.data) {
    setEnterWaiting(false);
    if (shown[index]) setOpen(shown[index].key);
  }
  const onFilterKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" && shown.length > 0) {
      event.preventDefault();
      buttons.current[index]?.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const s = shown[index];
      if (s) setOpen(s.key);
      else if (!settings.data) setEnterWaiting(true);
    }
  };
  const close = (said?: string) => {
    setOpen(null);
    if (said) say(said);
    else requestAnimationFrame(restoreFocus);
  };
  useCommands([
    {
      id: "settings-filter",
      label: "Filter the settings",
      description: "Type part of a key or a word of its description",
      group: "This page",
      shortcut: "f",
      keywords: ["find", "search", "setting"],
      run: focusFilter,
    },
    {
      id: "settings-policy-profile",
      label: "Policy profile",
      description: "Which profile (municipal or IOU) the utility follows, from which date",
      group: "This page",
      keywords: ["policy", "profile", "municipal", "iou", "cpuc"],
      run: () => setOpen("policy.profile"),
    },
    {
      id: "settings-municipal-rules",
      label: "Municipal profile's rules",
      description: "Credit score points and deposit rules of the municipal profile",
      group: "This page",
      keywords: ["policy", "rules", "deposit", "credit", "multiple"],
      run: () => setOpen("policy.rules.municipal"),
    },
    {
      id: "settings-iou-rules",
      label: "IOU profile's rules",
      description: "Credit score points and deposit rules of the investor-owned-utility profile",
      group: "This page",
      keywords: ["policy", "rules", "deposit", "credit", "cpuc"],
      run: () => setOpen("policy.rules.iou"),
    },
  ]);

  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <PageTitle>Settings</PageTitle>
        <List size="sm" spacing={2} c="gray.7">
          <List.Item>
            Every number the utility may change, with the value in force today and its dated versions. A change takes
            effect from a date (and may end on one); each is kept in the audit history.
          </List.Item>
          <List.Item>
            <Kbd>↓</Kbd> <Kbd>↑</Kbd> choose a setting, <Kbd>Enter</Kbd> opens it; <Kbd>f</Kbd> comes back to the
            filter.
            {canManage ? "" : " You can read the settings; changing them needs the settings.manage permission."}
          </List.Item>
        </List>
        {notice && (
          <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} data-testid="settings-notice">
            {notice}
          </Text>
        )}
        <TextInput
          label="Filter"
          placeholder="Key or word: policy, deposit, fee"
          styles={{ root: { maxWidth: 420 } }}
          autoComplete="off"
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setSelected(0);
          }}
          onKeyDown={onFilterKey}
          data-settings-filter
          data-page-focus
        />
        {settings.isPending && <Loader size="sm" aria-label="Loading the settings" />}
        {settings.isError && (
          <Alert color="red" role="alert" title="The settings did not load">
            {settings.error.message}
          </Alert>
        )}
        {settings.data && shown.length === 0 && (
          <Text size="sm" role="status">
            No setting matches the filter.
          </Text>
        )}
        {shown.length > 0 && (
          <SettingsList
            settings={shown}
            selected={index}
            onSelect={setSelected}
            onOpen={(s) => setOpen(s.key)}
            onLeaveTop={focusFilter}
            buttons={buttons}
          />
        )}
      </Stack>
      <SettingDialog setting={opened} canManage={canManage} onClose={close} />
    </Container>
  );
}

/** Settings: every effective-dated value by group; admins add and change dated versions, everyone else reads. */
export function SettingsPage() {
  return useCan("settings.read") ? <Settings /> : <NoAccess what="Settings" />;
}
