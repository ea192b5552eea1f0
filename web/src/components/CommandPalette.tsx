import { Input, Kbd, Modal, UnstyledButton, VisuallyHidden } from "@mantine/core";
import { createSpotlight, Spotlight, useSpotlight } from "@mantine/spotlight";
import {
  type CSSProperties,
  type KeyboardEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
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

const classes = Spotlight.classes;
// The highlighted command's description at full strength: the dimmed default is too faint on the highlight colour.
const HIGHLIGHTED = { "--action-description-opacity": 1 } as CSSProperties;

/** One command in the list: an option whose id the box's aria-activedescendant names while it is highlighted. */
function Option(props: { command: Command; selected: boolean; onChoose: (c: Command) => void }) {
  const { command: c, selected } = props;
  return (
    <UnstyledButton
      id={optionId(c)}
      role="option"
      aria-selected={selected}
      data-selected={selected || undefined}
      className={classes.action}
      style={selected ? HIGHLIGHTED : undefined}
      tabIndex={-1}
      // A click must not take focus from the box before the command is chosen.
      onMouseDown={(event) => event.preventDefault()}
      onClick={() => props.onChoose(c)}
    >
      <span className={classes.actionBody}>
        <span className={classes.actionLabel}>{c.label}</span>
        {c.description ? <span className={classes.actionDescription}>{c.description}</span> : null}
      </span>
      {c.shortcut ? (
        <span className={classes.actionSection} data-position="right">
          <Kbd size="xs">{c.shortcut}</Kbd>
        </span>
      ) : null}
    </UnstyledButton>
  );
}

/**
 * The command palette (Ctrl+K or Cmd+K, also from inside a text field): every registered command, filtered as
 * you type, arrows to choose, Enter to run. Closing it puts focus back where it was; the chosen command runs
 * after that, so a command that navigates or opens a dialog moves focus on from a sensible place.
 *
 * The palette keeps its own highlighted command (the first match after each keystroke) and runs exactly the one it
 * shows highlighted. Keys typed between Ctrl+K and the box appearing are not lost: they go into the box, and an
 * Enter among them runs the best match, so a fast typist's "Ctrl+K bills Enter" always opens Bills, and no key
 * reaches the page's one-key shortcuts behind the palette.
 */
export function CommandPalette() {
  const commands = useRegisteredCommands();
  const [query, setQuery] = useState("");
  const [index, setIndex] = useState(0);
  const { opened } = useSpotlight(store);
  const chosen = useRef<Command | null>(null);
  const box = useRef<HTMLInputElement | null>(null);
  const groups = grouped(commands, query);
  const flat = groups.flatMap((g) => g.commands);
  const active = opened ? flat[Math.min(index, flat.length - 1)] : undefined;

  // What the keys typed ahead of the box see: the latest query and commands, without waiting for a render.
  const latest = useRef({ query, commands });
  latest.current = { query, commands };

  // Whether the open palette has been drawn: a palette closed before it was ever drawn has no closing animation to
  // wait for, so the command runs at once.
  const drawn = useRef(false);
  useLayoutEffect(() => {
    if (opened) drawn.current = true;
  }, [opened]);

  // Runs once the closing animation is over: until then the dialog's own focus handling may still move focus.
  const closed = useCallback(() => {
    const command = chosen.current;
    chosen.current = null;
    drawn.current = false;
    latest.current.query = "";
    setQuery("");
    setIndex(0);
    restoreFocus();
    command?.run();
  }, []);

  const run = useCallback(
    (command: Command | undefined) => {
      if (!command) return;
      chosen.current = command;
      palette.close();
      if (!drawn.current) closed();
    },
    [closed],
  );

  // Focus is in the box the moment it is on the page (the dialog's own focus moves later, on a timer). A stable
  // callback: an inline one would run again on every render and pull focus back into the box.
  const focusBox = useCallback((el: HTMLInputElement | null) => {
    box.current = el;
    el?.focus();
  }, []);

  const type = useCallback((q: string) => {
    latest.current.query = q;
    setQuery(q);
    setIndex(0);
  }, []);

  // Listens all the time and asks the store, which knows the palette is open the moment Ctrl+K is handled: an
  // effect run on opening could come after keys already sent.
  useEffect(() => {
    const ahead = (event: globalThis.KeyboardEvent) => {
      if (!store.getState().opened) return;
      if (event.target === box.current || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      const { query: q, commands: all } = latest.current;
      if (event.key.length === 1) type(q + event.key);
      else if (event.key === "Backspace") type(q.slice(0, -1));
      else if (event.key === "Enter") run(grouped(all, q).flatMap((g) => g.commands)[0]);
      else if (event.key === "Escape") palette.close();
      else return;
      event.preventDefault();
      event.stopPropagation();
      box.current?.focus();
    };
    window.addEventListener("keydown", ahead, true);
    return () => window.removeEventListener("keydown", ahead, true);
  }, [type, run]);

  useEffect(() => {
    if (active) document.getElementById(optionId(active))?.scrollIntoView({ block: "nearest" });
  }, [active]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing || flat.length === 0) return;
    const at = Math.min(index, flat.length - 1);
    if (event.key === "ArrowDown") setIndex((at + 1) % flat.length);
    else if (event.key === "ArrowUp") setIndex((at - 1 + flat.length) % flat.length);
    else if (event.key === "Home") setIndex(0);
    else if (event.key === "End") setIndex(flat.length - 1);
    else if (event.key === "Enter") run(active);
    else return;
    event.preventDefault();
  };

  return (
    <Spotlight.Root
      store={store}
      query={query}
      onQueryChange={type}
      shortcut={["mod + K"]}
      tagsToIgnore={[]}
      returnFocus={false}
      clearQueryOnClose={false}
      transitionProps={{ duration: 80, transition: "pop", onExited: closed }}
    >
      <VisuallyHidden>
        <Modal.Title>Command palette</Modal.Title>
      </VisuallyHidden>
      <Input
        ref={focusBox}
        data-autofocus
        size="lg"
        classNames={{ input: Spotlight.Search.classes.search }}
        value={query}
        onChange={(event) => type(event.currentTarget.value)}
        onKeyDown={onKeyDown}
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
                <Option key={c.id} command={c} selected={c === active} onChoose={run} />
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
