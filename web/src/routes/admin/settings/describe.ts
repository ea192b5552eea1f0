import { PROFILE_TITLES, type ProfileName, type Setting, type SettingVersion } from "../../../api/settings.js";
import { formatCents, isRecord } from "../../account/fields.js";
import { ruleLabel } from "./rules.js";

export const PROFILE_KEY = "policy.profile";
export const isRulesKey = (key: string) => key.startsWith("policy.rules.");

/** How a setting's value is edited: the profile by its name, a rule set field by field, anything else as JSON. */
export type EditorKind = "profile" | "rules" | "json";
export const editorOf = (s: Setting): EditorKind =>
  s.key === PROFILE_KEY ? "profile" : isRulesKey(s.key) && isRecord(s.default) ? "rules" : "json";

const GROUP_TITLES: Record<string, string> = {
  identity: "Sign-in and sessions",
  idempotency: "Repeated requests",
  reads: "Meter reads",
};

/** The group a setting is listed under: the first part of its key ("billing.due_days" -> Billing). */
export const groupOf = (key: string) => key.split(".")[0] ?? key;
export const groupTitle = (group: string) =>
  GROUP_TITLES[group] ?? group.charAt(0).toUpperCase() + group.slice(1).replace(/_/g, " ");

/** The settings by group, groups and settings in key order. */
export function grouped(settings: Setting[]): { group: string; title: string; settings: Setting[] }[] {
  const byGroup = new Map<string, Setting[]>();
  for (const s of [...settings].sort((a, b) => a.key.localeCompare(b.key))) {
    const g = groupOf(s.key);
    byGroup.set(g, [...(byGroup.get(g) ?? []), s]);
  }
  return [...byGroup].map(([group, list]) => ({ group, title: groupTitle(group), settings: list }));
}

export const profileName = (v: unknown) => (v === "iou" ? "IOU" : v === "municipal" ? "Municipal" : String(v));
export const profileTitle = (v: unknown) => PROFILE_TITLES[v as ProfileName] ?? String(v);

/** The leaves of a value by path ("deposit.multiple"); arrays and scalars are leaves. */
function leaves(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

/** What differs between two values, leaf by leaf, in the order of the newer one. */
export function changes(before: unknown, after: unknown): Change[] {
  const a = leaves(before);
  const b = leaves(after);
  const paths = [...new Set([...b.keys(), ...a.keys()])];
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((p) => ({ path: p, before: a.get(p), after: b.get(p) }));
}

const CENTS = /_cents(\.|$)/;

/** One leaf as a person reads it: Yes/No, dollars for cents, a short list, or the value itself. */
export function formatLeaf(where: string, value: unknown): string {
  if (value === undefined) return "(none)";
  if (value === null) return "none";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (CENTS.test(where) && (typeof value === "number" || (typeof value === "string" && /^-?\d+$/.test(value)))) {
    return formatCents(value);
  }
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length <= 60 ? text : `${value.length} entries`;
  }
  if (isRecord(value)) {
    const text = JSON.stringify(value);
    return text.length <= 60 ? text : `${Object.keys(value).length} fields`;
  }
  return String(value);
}

/** A leaf's name as the admin reads it: a rule's label, else its path in the value. */
const leafName = (key: string, path: string) => (isRulesKey(key) ? ruleLabel(path) : path);

/** A value in a few words: scalars as they are; a structured value by what differs from the default. */
export function summary(s: Pick<Setting, "key" | "default">, value: unknown, most = 3): string {
  if (s.key === PROFILE_KEY) return `${profileName(value)}: ${profileTitle(value)}`;
  if (!isRecord(value) && !Array.isArray(value)) return formatLeaf(s.key, value);
  const diff = changes(s.default, value);
  if (diff.length === 0) return "the default";
  const said = diff
    .slice(0, most)
    .map((c) => (c.path ? `${leafName(s.key, c.path)} ${formatLeaf(`${s.key}.${c.path}`, c.after)}` : ""))
    .filter(Boolean);
  if (said.length === 0) return formatLeaf(s.key, value);
  return diff.length > most ? `${said.join("; ")}; and ${diff.length - most} more` : said.join("; ");
}

/** A version's range in words. */
export const rangeWords = (from: string, to: string | null) => (to ? `from ${from} to ${to}` : `from ${from} on`);

/** What a saved change did, in one sentence: the setting, the range, and each value that changed. */
export function savedWords(
  s: Pick<Setting, "key" | "default">,
  was: unknown,
  saved: Pick<SettingVersion, "effective_from" | "effective_to" | "value">,
  edited: boolean,
): string {
  const head = `${edited ? "Changed" : "Saved"} ${s.key} ${rangeWords(saved.effective_from, saved.effective_to)}`;
  if (s.key === PROFILE_KEY) {
    return was === saved.value
      ? `${head}: the ${profileName(saved.value)} profile, as before.`
      : `${head}: the ${profileName(saved.value)} profile (${profileTitle(saved.value)}), was ${profileName(was)}.`;
  }
  const diff = changes(was, saved.value);
  if (diff.length === 0) return `${head}: the same value as before.`;
  const said = diff.slice(0, 6).map((c) => {
    const where = `${s.key}.${c.path}`;
    const name = c.path ? leafName(s.key, c.path) : "value";
    return `${name} ${formatLeaf(where, c.before)} → ${formatLeaf(where, c.after)}`;
  });
  const more = diff.length > 6 ? `, and ${diff.length - 6} more` : "";
  return `${head}: ${said.join(", ")}${more}.`;
}
