import { Alert, Button, Group, Radio, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useState } from "react";
import { ApiError } from "../../../api/client.js";
import {
  PROFILE_TITLES,
  PROFILES,
  putSetting,
  type Setting,
  type SettingChange,
  type SettingVersion,
  settingKeys,
} from "../../../api/settings.js";
import { isDate } from "../../tariffs/format.js";
import { editorOf, profileName, rangeWords, savedWords } from "./describe.js";
import { type RulesDraft, RulesFields, rulesDraft, rulesValue, valueFieldId } from "./RulesFields.js";

/** Adding a version, or changing the one from a date (with the row version read). */
export type FormMode = { kind: "new" } | { kind: "edit"; row: SettingVersion };

type Draft =
  | { kind: "profile"; profile: string }
  | { kind: "rules"; rules: RulesDraft }
  | { kind: "json"; text: string };

const FROM = "setting-effective-from";
const TO = "setting-effective-to";
const VALUE = "setting-value";

function draftOf(setting: Setting, value: unknown): Draft {
  const kind = editorOf(setting);
  if (kind === "profile") return { kind, profile: String(value) };
  if (kind === "rules") return { kind, rules: rulesDraft(value) };
  return { kind, text: JSON.stringify(value, null, 2) };
}

/** The value to send, or what is wrong with what was typed (by field: "value" or a rule's path). */
function typedValue(draft: Draft, base: unknown): { value?: unknown; errors: Record<string, string> } {
  if (draft.kind === "profile") return { value: draft.profile, errors: {} };
  if (draft.kind === "rules") return rulesValue(base, draft.rules);
  try {
    return { value: JSON.parse(draft.text) as unknown, errors: {} };
  } catch (err) {
    return { errors: { value: `Not valid JSON: ${(err as Error).message}` } };
  }
}

/**
 * The API's complaints by the form's fields: effective_from and effective_to by theirs; a place in the value
 * ("value.deposit.multiple") at the rule's field when the form has one, else at the value; the rest above the form.
 */
function serverErrors(err: unknown, draft: Draft): { byField: Record<string, string>; general: string | null } {
  if (!(err instanceof ApiError) || err.status === 409) return { byField: {}, general: null };
  const byField: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const e of err.problem.errors ?? []) {
    const name = e.field.replace(/^body\./, "");
    if (name === "effective_from") byField.from ??= e.message;
    else if (name === "effective_to") byField.to ??= e.message;
    else if (name === "value" || name.startsWith("value.")) {
      const path = name.slice("value.".length);
      if (draft.kind === "rules" && path in draft.rules) byField[path] ??= e.message;
      else if (draft.kind === "rules") unplaced.push(`${path || "value"}: ${e.message}`);
      else byField.value = byField.value ? `${byField.value}; ${name}: ${e.message}` : `${name}: ${e.message}`;
    } else unplaced.push(`${name}: ${e.message}`);
  }
  const placed = Object.keys(byField).length > 0;
  const general = unplaced.length > 0 ? unplaced.join("; ") : placed ? null : err.message;
  return { byField, general };
}

/** The element of a field that errors name, to put the cursor there. */
const elementOf = (field: string) =>
  field === "from" ? FROM : field === "to" ? TO : field === "value" ? VALUE : valueFieldId(field);

/** Puts the cursor in a field, scrolled to the middle of the dialog so its complaint under it shows too. */
function focusField(id: string) {
  requestAnimationFrame(() => {
    const el = document.getElementById(id);
    el?.scrollIntoView({ block: "center" });
    el?.focus({ preventScroll: true });
  });
}

function ProfileField({ value, error, onChange }: { value: string; error?: string; onChange: (v: string) => void }) {
  return (
    <Radio.Group
      label="Profile"
      description="The rules the utility follows from this date: each profile's numbers are its own setting"
      value={value}
      onChange={onChange}
      error={error}
    >
      <Stack gap="xs" mt="xs">
        {PROFILES.map((p, i) => (
          <Radio
            key={p}
            id={i === 0 ? VALUE : undefined}
            value={p}
            label={`${profileName(p)}: ${PROFILE_TITLES[p]}`}
            description={`Its rules are the setting policy.rules.${p}`}
          />
        ))}
      </Stack>
    </Radio.Group>
  );
}

/**
 * The form that adds a dated version (from a date on, or for a range) or changes an existing one (sending the
 * version read). What the server refuses is said at the field it names, and nothing changes; on success the
 * caller is told in words what changed and from when. Ctrl+Enter saves from any field.
 */
export function VersionForm({
  setting,
  mode,
  onSaved,
  onNew,
}: {
  setting: Setting;
  mode: FormMode;
  onSaved: (said: string) => void;
  onNew: () => void;
}) {
  const editing = mode.kind === "edit" ? mode.row : null;
  const base = editing ? editing.value : setting.current;
  const [from, setFrom] = useState(editing?.effective_from ?? "");
  const [to, setTo] = useState(editing?.effective_to ?? "");
  const [draft, setDraft] = useState<Draft>(() => draftOf(setting, base));
  const [version, setVersion] = useState<number | undefined>(editing?.version);
  // What the saved change is compared with to say what changed: the value read, or theirs after a 409.
  const [was, setWas] = useState<unknown>(base);
  const [checked, setChecked] = useState<Record<string, string>>({});
  const [stale, setStale] = useState<string | null>(null);
  // Fields edited since the server refused them: their complaint is no longer shown.
  const [cleared, setCleared] = useState<ReadonlySet<string>>(new Set());
  const client = useQueryClient();

  const save = useMutation({
    mutationFn: (change: SettingChange) => putSetting(setting.key, change),
    onSuccess: (view, change) => {
      client.setQueryData(settingKeys.one(setting.key), view);
      client.setQueryData<{ settings: Setting[] }>(settingKeys.list(), (old) =>
        old ? { settings: old.settings.map((s) => (s.key === view.key ? view : s)) } : old,
      );
      void client.invalidateQueries({ queryKey: settingKeys.all });
      const row = view.schedule.find((r) => r.effective_from === change.effective_from);
      const saved = row ?? {
        effective_from: change.effective_from,
        effective_to: change.effective_to ?? null,
        value: change.value,
      };
      onSaved(savedWords(setting, was, saved, editing !== null || version !== undefined));
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409) {
        // Someone saved this version first (or one from the same date exists): show theirs, keep what was typed,
        // and take their version so that saving again applies this change over theirs knowingly.
        const current = err.problem.current as { version?: number; value?: unknown } | undefined;
        if (typeof current?.version === "number") setVersion(current.version);
        if (current && "value" in current) setWas(current.value);
        setStale(
          editing
            ? "Someone else changed this version since you opened it. The schedule above shows what is saved now; " +
                "your values are still below: save again to apply them."
            : `A version from ${from.trim()} already exists (see the schedule above). ` +
                "Save again to change it to the values below.",
        );
        void client.invalidateQueries({ queryKey: settingKeys.all });
        focusField("setting-stale");
        return;
      }
      const { byField } = serverErrors(err, draft);
      const first = ["from", "to", ...(draft.kind === "rules" ? Object.keys(draft.rules) : ["value"])].find(
        (f) => byField[f],
      );
      focusField(first ? elementOf(first) : "setting-errors");
    },
  });

  // In a change, the first day is fixed: the cursor starts on the last day.
  useEffect(() => {
    if (editing) document.getElementById(TO)?.focus();
  }, [editing]);

  const server = serverErrors(save.error, draft);
  const errors: Record<string, string> = { ...checked };
  for (const [field, message] of Object.entries(server.byField)) if (!cleared.has(field)) errors[field] ??= message;
  const forget = (field: string) => {
    if (checked[field]) setChecked(({ [field]: _, ...rest }) => rest);
    if (server.byField[field] && !cleared.has(field)) setCleared((c) => new Set(c).add(field));
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const typed = typedValue(draft, base);
    const found: Record<string, string> = { ...typed.errors };
    if (!isDate(from.trim())) found.from = "The first day, written YYYY-MM-DD";
    if (to.trim() && !isDate(to.trim())) found.to = "The last day, written YYYY-MM-DD, or nothing";
    setChecked(found);
    setCleared(new Set());
    save.reset();
    const order = ["from", "to", ...(draft.kind === "rules" ? Object.keys(draft.rules) : ["value"])];
    const first = order.find((f) => found[f]);
    if (first) {
      focusField(elementOf(first));
      return;
    }
    save.mutate({
      effective_from: from.trim(),
      effective_to: to.trim() || null,
      value: typed.value,
      ...(version !== undefined ? { version } : {}),
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  const title = editing
    ? `Change the version ${rangeWords(editing.effective_from, editing.effective_to)}`
    : "Add a dated version";
  return (
    <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-labelledby="setting-form-title">
      <Stack gap="sm">
        <Group justify="space-between" align="baseline">
          <Title order={3} size="h4" id="setting-form-title">
            {title}
          </Title>
          {editing && (
            <Button variant="subtle" size="xs" onClick={onNew}>
              Add a new version instead
            </Button>
          )}
        </Group>
        <Text size="sm" c="gray.7">
          {editing
            ? "The version keeps its first day; change its last day or its value."
            : "Prefilled with the value in force today. A version with a last day is temporary: after it, the " +
              "version before applies again."}
        </Text>
        {stale && (
          <Alert id="setting-stale" tabIndex={-1} color="yellow" role="alert" title="Saved by someone else">
            {stale}
          </Alert>
        )}
        {server.general && (
          <Alert id="setting-errors" tabIndex={-1} color="red" role="alert" title="Not saved">
            {server.general}
          </Alert>
        )}
        <Group grow align="flex-start">
          <TextInput
            id={FROM}
            data-autofocus={editing ? undefined : true}
            label="Effective from"
            description={editing ? "The version's first day (fixed)" : "The first business day, YYYY-MM-DD"}
            placeholder="YYYY-MM-DD"
            required
            readOnly={editing !== null}
            autoComplete="off"
            value={from}
            error={errors.from}
            onChange={(e) => {
              setFrom(e.currentTarget.value);
              forget("from");
            }}
          />
          <TextInput
            id={TO}
            label="Effective to"
            description="Optional: the last day of a temporary version"
            placeholder="YYYY-MM-DD"
            autoComplete="off"
            value={to}
            error={errors.to}
            onChange={(e) => {
              setTo(e.currentTarget.value);
              forget("to");
            }}
          />
        </Group>
        {draft.kind === "profile" && (
          <ProfileField
            value={draft.profile}
            error={errors.value}
            onChange={(profile) => {
              setDraft({ kind: "profile", profile });
              forget("value");
            }}
          />
        )}
        {draft.kind === "rules" && (
          <RulesFields
            draft={draft.rules}
            errors={errors}
            onChange={(path, value) => {
              setDraft((d) => (d.kind === "rules" ? { kind: "rules", rules: { ...d.rules, [path]: value } } : d));
              forget(path);
            }}
          />
        )}
        {draft.kind === "json" && (
          <Textarea
            id={VALUE}
            label="Value (JSON)"
            description="The whole value as JSON; the setting's rules check it when you save"
            autosize
            minRows={2}
            maxRows={18}
            spellCheck={false}
            autoComplete="off"
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
            value={draft.text}
            error={errors.value}
            onChange={(e) => {
              setDraft({ kind: "json", text: e.currentTarget.value });
              forget("value");
            }}
          />
        )}
        <Group justify="space-between" mt="xs">
          <Text size="sm" c="gray.7">
            Ctrl+Enter saves
          </Text>
          <Button type="submit" loading={save.isPending}>
            {editing ? "Save change" : "Save version"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
