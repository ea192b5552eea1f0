import { Stack, Table, Text, Title } from "@mantine/core";
import type { KeyboardEvent, RefObject } from "react";
import type { Setting } from "../../../api/settings.js";
import { grouped, rangeWords, summary } from "./describe.js";
import classes from "./Settings.module.css";

const SHORT = 64;
const short = (text: string) => (text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text);

/** The dated versions in a few words each. */
function ScheduleWords({ setting }: { setting: Setting }) {
  if (setting.schedule.length === 0) return <Text size="sm">none (the default)</Text>;
  return (
    <Stack gap={0}>
      {setting.schedule.map((row) => (
        <Text key={row.effective_from} size="sm">
          {rangeWords(row.effective_from, row.effective_to)}: {short(summary(setting, row.value, 2))}
        </Text>
      ))}
    </Stack>
  );
}

/**
 * The settings in tables by group (Billing, Payments, Policy, ...): each with its description, its value today and
 * its dated versions. One key at a time is in the Tab order; ↑ ↓ Home End move among them across groups, Enter
 * (or a click) opens one, ↑ on the first goes back to the filter.
 */
export function SettingsList({
  settings,
  selected,
  onSelect,
  onOpen,
  onLeaveTop,
  buttons,
}: {
  settings: Setting[];
  selected: number;
  onSelect: (index: number) => void;
  onOpen: (setting: Setting) => void;
  onLeaveTop: () => void;
  buttons: RefObject<(HTMLButtonElement | null)[]>;
}) {
  const groups = grouped(settings);
  const flat = groups.flatMap((g) => g.settings);
  const moveTo = (to: number) => {
    const next = Math.max(0, Math.min(flat.length - 1, to));
    onSelect(next);
    buttons.current[next]?.focus();
  };
  const onKey = (event: KeyboardEvent, i: number) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowUp" && i === 0) {
      event.preventDefault();
      onLeaveTop();
      return;
    }
    const keys: Record<string, number> = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: flat.length - 1 };
    if (!(event.key in keys)) return;
    event.preventDefault();
    moveTo(keys[event.key]!);
  };

  let at = -1;
  return (
    <Stack gap="lg">
      {groups.map((g) => (
        <section key={g.group} aria-labelledby={`settings-group-${g.group}`}>
          <Title order={2} size="h4" id={`settings-group-${g.group}`} mb={4}>
            {g.title}
          </Title>
          <Table verticalSpacing={6} withTableBorder aria-labelledby={`settings-group-${g.group}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col" w="44%">
                  Setting
                </Table.Th>
                <Table.Th scope="col" w="28%">
                  Today
                </Table.Th>
                <Table.Th scope="col">Dated versions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {g.settings.map((s) => {
                at += 1;
                const i = at;
                return (
                  <Table.Tr key={s.key} className={i === selected ? classes.selected : undefined}>
                    <Table.Th scope="row" fw={400}>
                      <button
                        type="button"
                        ref={(el) => {
                          buttons.current[i] = el;
                        }}
                        className={classes.key}
                        tabIndex={i === selected ? 0 : -1}
                        aria-describedby={`setting-description-${i}`}
                        onFocus={() => onSelect(i)}
                        onKeyDown={(e) => onKey(e, i)}
                        onClick={() => onOpen(s)}
                        data-testid="setting-key"
                      >
                        {s.key}
                      </button>
                      <Text size="xs" c="gray.7" id={`setting-description-${i}`}>
                        {s.description}
                      </Text>
                    </Table.Th>
                    <Table.Td>
                      <Text size="sm">{short(summary(s, s.current, 2))}</Text>
                    </Table.Td>
                    <Table.Td>
                      <ScheduleWords setting={s} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </section>
      ))}
    </Stack>
  );
}

/** The settings in the order the list shows them (by group, then key). */
export const listOrder = (settings: Setting[]) => grouped(settings).flatMap((g) => g.settings);
