import { createContext, type ReactNode, useContext, useEffect, useId, useMemo, useRef, useState } from "react";
import { isTyping } from "../focus.js";

/** Something the person can do from the palette (Ctrl+K), and from the keyboard when it has a shortcut. */
export interface Command {
  id: string;
  label: string;
  description?: string;
  /** The palette's section: the current page's actions come first. */
  group?: CommandGroup;
  /** A one-key shortcut (e.g. "n", "/", "?") that runs it when the person is not typing and no dialog is open. */
  shortcut?: string;
  /** More words the palette matches on. */
  keywords?: string[];
  run: () => void;
}

export type CommandGroup = "This page" | "Go to" | "Workstation";
export const GROUP_ORDER: CommandGroup[] = ["This page", "Go to", "Workstation"];

interface Registry {
  set(key: string, commands: Command[]): void;
  remove(key: string): void;
}

const RegistryContext = createContext<Registry | null>(null);
const CommandsContext = createContext<Command[]>([]);

/** Holds the commands every mounted component has registered and runs their one-key shortcuts. */
export function CommandsProvider({ children }: { children: ReactNode }) {
  const [sets, setSets] = useState<ReadonlyMap<string, Command[]>>(new Map());
  const registry = useMemo<Registry>(
    () => ({
      set: (key, commands) => setSets((prev) => new Map(prev).set(key, commands)),
      remove: (key) =>
        setSets((prev) => {
          const next = new Map(prev);
          next.delete(key);
          return next;
        }),
    }),
    [],
  );
  const all = useMemo(() => [...sets.values()].flat(), [sets]);
  const latest = useRef(all);
  latest.current = all;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event)) return;
      const command = latest.current.find((c) => c.shortcut === event.key);
      if (!command) return;
      event.preventDefault();
      command.run();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  return (
    <RegistryContext.Provider value={registry}>
      <CommandsContext.Provider value={all}>{children}</CommandsContext.Provider>
    </RegistryContext.Provider>
  );
}

/**
 * Registers commands while the calling component is mounted: a page lists its actions and they appear in the
 * palette (and their shortcuts work) only while that page is open. Each command runs with the caller's latest
 * state, so the list may be written inline.
 */
export function useCommands(commands: Command[]) {
  const registry = useContext(RegistryContext);
  const key = useId();
  const latest = useRef(commands);
  latest.current = commands;
  // Re-register only when what the palette shows changes, not on every render of the caller.
  const signature = commands
    .map((c) => [c.id, c.label, c.description, c.group, c.shortcut, c.keywords?.join(" ")].join("\u0000"))
    .join("\u0001");
  // biome-ignore lint/correctness/useExhaustiveDependencies: the signature stands for the commands' content
  useEffect(() => {
    if (!registry) return;
    registry.set(
      key,
      latest.current.map((c) => ({ ...c, run: () => latest.current.find((x) => x.id === c.id)?.run() })),
    );
    return () => registry.remove(key);
  }, [registry, key, signature]);
}

/** Every command registered right now, in registration order. */
export const useRegisteredCommands = () => useContext(CommandsContext);
