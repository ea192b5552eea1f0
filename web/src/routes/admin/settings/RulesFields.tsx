import { Checkbox, Fieldset, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { isRecord } from "../../account/fields.js";
import { CLASS_AVERAGES, RULE_SECTIONS, RULES, ruleLabel, words } from "./rules.js";

/** The rule set as the form holds it: each rule by its path ("deposit.multiple"), as typed (or ticked). */
export type RulesDraft = Record<string, string | boolean>;

/** The id of the field for a path in the value, so a server error naming that place can focus it. */
export const valueFieldId = (path: string) => `setting-value-${path.replace(/[^A-Za-z0-9]+/g, "-")}`;

const isCents = (path: string) => /_cents(\.|$)/.test(path);

/** Whole cents as dollars text, exactly: "12000" -> "120.00". */
function dollarsOf(cents: string): string {
  const digits = cents.replace(/^-/, "").padStart(3, "0");
  return `${cents.startsWith("-") ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Dollars typed ("120", "1,200.5", "$45.00") as whole cents text, or null when it is not an amount. */
function centsOf(dollars: string): string | null {
  const m = /^\$?(\d{1,7})(?:\.(\d{1,2}))?$/.exec(dollars.trim().replace(/,/g, ""));
  if (!m) return null;
  return String(BigInt(m[1]!) * 100n + BigInt((m[2] ?? "").padEnd(2, "0")));
}

/** The form's fields for a rule set: every leaf of the value, dollars for cents. */
export function rulesDraft(value: unknown, prefix = "", out: RulesDraft = {}): RulesDraft {
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) rulesDraft(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof value === "boolean") out[prefix] = value;
  else if (typeof value === "string" && isCents(prefix) && /^-?\d+$/.test(value)) out[prefix] = dollarsOf(value);
  else out[prefix] = value === null || value === undefined ? "" : String(value);
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split(".");
  let at = target;
  for (const p of parts.slice(0, -1)) {
    if (!isRecord(at[p])) at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts.at(-1)!] = value;
}

function leafAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const p of path.split(".")) at = isRecord(at) ? at[p] : undefined;
  return at;
}

/**
 * The value to send: the base rule set with each field as typed, in the type the base has (whole numbers as numbers,
 * dollars back to cents). Only the kind of entry is checked here (a whole number, an amount); the server checks
 * the rules' limits and names the field it refuses.
 */
export function rulesValue(base: unknown, draft: RulesDraft): { value: unknown; errors: Record<string, string> } {
  const value = structuredClone(isRecord(base) ? base : {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  for (const [path, typed] of Object.entries(draft)) {
    const was = leafAt(base, path);
    if (typeof typed === "boolean") setPath(value, path, typed);
    else if (typeof was === "number") {
      const text = typed.trim();
      if (/^-?\d+$/.test(text)) setPath(value, path, Number(text));
      else errors[path] = "A whole number, such as 12";
    } else if (isCents(path)) {
      const cents = centsOf(typed);
      if (cents === null) errors[path] = "Dollars and cents, such as 120.00";
      else setPath(value, path, cents);
    } else setPath(value, path, typed.trim());
  }
  return { value, errors };
}

function RuleField({
  path,
  value,
  error,
  readOnly,
  onChange,
}: {
  path: string;
  value: string | boolean;
  error?: string;
  readOnly?: boolean;
  onChange: (path: string, value: string | boolean) => void;
}) {
  const help = RULES[path]?.help;
  const label = ruleLabel(path);
  if (typeof value === "boolean") {
    return (
      <Checkbox
        id={valueFieldId(path)}
        label={label}
        description={help}
        checked={value}
        error={error}
        disabled={readOnly}
        onChange={(e) => onChange(path, e.currentTarget.checked)}
      />
    );
  }
  return (
    <TextInput
      id={valueFieldId(path)}
      label={label}
      description={help}
      value={value}
      error={error}
      readOnly={readOnly}
      autoComplete="off"
      inputMode={isCents(path) ? "decimal" : /percent|multiple/.test(path) ? "decimal" : "numeric"}
      leftSection={isCents(path) ? "$" : undefined}
      onChange={(e) => onChange(path, e.currentTarget.value)}
    />
  );
}

/** The order of the rule set's sections: the known ones first, then any the server added. */
function sectionsOf(draft: RulesDraft): string[] {
  const seen = [...new Set(Object.keys(draft).map((p) => p.split(".")[0]!))];
  return [...Object.keys(RULE_SECTIONS).filter((s) => seen.includes(s)), ...seen.filter((s) => !(s in RULE_SECTIONS))];
}

/**
 * A rule set as a form: a fieldset per section (Credit, Deposits), each rule a labelled field with its meaning
 * under it; the class averages in dollars in a fieldset of their own.
 */
export function RulesFields({
  draft,
  errors,
  onChange,
}: {
  draft: RulesDraft;
  errors: Record<string, string>;
  onChange: (path: string, value: string | boolean) => void;
}) {
  const paths = Object.keys(draft);
  return (
    <Stack gap="md">
      {sectionsOf(draft).map((section) => {
        const inSection = paths.filter((p) => p.split(".")[0] === section);
        const plain = inSection.filter((p) => !p.startsWith(`${CLASS_AVERAGES}.`));
        const averages = inSection.filter((p) => p.startsWith(`${CLASS_AVERAGES}.`));
        return (
          <Fieldset key={section} legend={RULE_SECTIONS[section] ?? words(section)} variant="filled">
            <Stack gap="md">
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="md">
                {plain.map((p) => (
                  <RuleField key={p} path={p} value={draft[p]!} error={errors[p]} onChange={onChange} />
                ))}
              </SimpleGrid>
              {averages.length > 0 && (
                <Fieldset legend="Estimated average monthly bill by class" variant="default">
                  <Text size="xs" c="gray.7" mb="xs">
                    Used for the deposit when the premise has too little history of its own, in dollars.
                  </Text>
                  <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
                    {averages.map((p) => (
                      <RuleField key={p} path={p} value={draft[p]!} error={errors[p]} onChange={onChange} />
                    ))}
                  </SimpleGrid>
                </Fieldset>
              )}
            </Stack>
          </Fieldset>
        );
      })}
    </Stack>
  );
}
