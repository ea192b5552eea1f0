import { Kbd, Modal, VisuallyHidden } from "@mantine/core";
import { createSpotlight, Spotlight, useSpotlight } from "@mantine/spotlight";
import { useRef, useState } from "react";
import { type Command, GROUP_ORDER, useRegisteredCommands } from "../commands/registry.js";
import { restoreFocus } from "../focus.js";

const [store, palette] = createSpotlight();

/** Opens and closes the command palette from code (the header's button, tests of focus). */
export const commandPalette = palette;

const optionId = (c: Command) => `command-${c.id}`;

function matches(c: Command, words: string[]) {
  const text = [c.label, c.description, c.group, ...(c.keywords ?? [])].join(" ").toLowerCase();
  return words.every((w) => text.includes(w));
}

/** The commands that match what was typed, grouped with the current page's actions first. */
function grouped(commands: Command[], query: string) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const found = commands.filter((c) => matches(c, words));
  return GROUP_ORDER.map((group) => ({
    group,
    commands: found.filter((c) => (c.group ?? "Workstation") === group),
  })).filter((g) => g.commands.length > 0);
}

/**
 * The command palette (Ctrl+K or Cmd+K, also from inside a text field): every registered command, filtered as
 * you type, arrows to choose, Enter to run. Closing it puts focus back where it was; the chosen command runs
 * after that, so a command that navigates or opens a dialog moves focus on from a sensible place.
 */
export function CommandPalette() {
  const commands = useRegisteredCommands();
  const [query, setQuery] = useState("");
  const { opened, selected } = useSpotlight(store);
  const chosen = useRef<Command | null>(null);
  const groups = grouped(commands, query);
  const flat = groups.flatMap((g) => g.commands);
  const active = opened ? flat[selected] : undefined;

  // Runs once the closing animation is over: until then the dialog's own focus handling may still move focus.
  const closed = () => {
    const command = chosen.current;
    chosen.current = null;
    restoreFocus();
    command?.run();
  };

  return (
    <Spotlight.Root
      store={store}
      query={query}
      onQueryChange={setQuery}
      shortcut={["mod + K"]}
      tagsToIgnore={[]}
      returnFocus={false}
      transitionProps={{ duration: 80, transition: "pop", onExited: closed }}
    >
      <VisuallyHidden>
        <Modal.Title>Command palette</Modal.Title>
      </VisuallyHidden>
      <Spotlight.Search
        // Focus is in the box the moment the palette opens, so no keystroke typed right after Ctrl+K is lost.
        autoFocus
        data-autofocus
        placeholder="Type a command…"
        aria-label="Command"
        role="combobox"
        aria-expanded={flat.length > 0}
        aria-controls="command-list"
        aria-autocomplete="list"
        aria-activedescendant={active ? optionId(active) : undefined}
      />
      {flat.length > 0 ? (
        <Spotlight.ActionsList id="command-list" role="listbox" aria-label="Commands">
          {groups.map((g) => (
            <Spotlight.ActionsGroup key={g.group} label={g.group} role="group" aria-label={g.group}>
              {g.commands.map((c) => (
                <Spotlight.Action
                  key={c.id}
                  id={optionId(c)}
                  role="option"
                  aria-selected={c === active}
                  label={c.label}
                  description={c.description}
                  rightSection={c.shortcut ? <Kbd size="xs">{c.shortcut}</Kbd> : undefined}
                  onClick={() => {
                    chosen.current = c;
                  }}
                />
              ))}
            </Spotlight.ActionsGroup>
          ))}
        </Spotlight.ActionsList>
      ) : (
        <Spotlight.Empty>No command matches “{query}”.</Spotlight.Empty>
      )}
    </Spotlight.Root>
  );
}
