import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";

/**
 * A queue's cursor: one selected row, the only one in the tab order. `j`/`k` or the arrows move it, Home and End go
 * to the ends, Enter opens the row. On arrival the cursor goes to the row last worked (else the first) once the list
 * is read, unless the person has already moved focus elsewhere. When the selected row leaves the list, the row now
 * in its place is selected.
 */
export function useRowCursor<T>(
  items: T[] | undefined,
  idOf: (item: T) => number,
  { onOpen, start }: { onOpen: (item: T) => void; start?: number | null },
) {
  const list = items ?? [];
  const [selectedId, setSelectedId] = useState<number | null>(start ?? null);
  const rows = useRef(new Map<number, HTMLTableRowElement>());
  const lastIndex = useRef(0);
  const index = list.findIndex((x) => idOf(x) === selectedId);
  const selected = index >= 0 ? list[index] : undefined;
  const latest = useRef({ list, selected });
  latest.current = { list, selected };

  useEffect(() => {
    if (list.length === 0) return;
    if (index >= 0) {
      lastIndex.current = index;
      return;
    }
    setSelectedId(idOf(list[Math.min(lastIndex.current, list.length - 1)]!));
  }, [list, index, idOf]);

  const focusRow = useCallback(
    (item: T | undefined) => {
      if (item === undefined) return;
      setSelectedId(idOf(item));
      rows.current.get(idOf(item))?.focus();
    },
    [idOf],
  );

  // A frame after the shell has put focus on the page's heading (it does so a frame after navigating).
  const arrived = useRef(false);
  useEffect(() => {
    if (arrived.current || items === undefined) return;
    arrived.current = true;
    const first = items.find((x) => idOf(x) === start) ?? items[0];
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if (first !== undefined && (active === document.body || active?.matches("h1"))) focusRow(first);
      }),
    );
  }, [items, start, idOf, focusRow]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, i: number) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const move = (to: number) => {
      event.preventDefault();
      focusRow(list[Math.min(list.length - 1, Math.max(0, to))]);
    };
    if (event.target !== event.currentTarget) return;
    if (event.key === "ArrowDown" || event.key === "j") move(i + 1);
    else if (event.key === "ArrowUp" || event.key === "k") move(i - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(list.length - 1);
    else if (event.key === "Enter") {
      event.preventDefault();
      onOpen(list[i]!);
    }
  };

  /** The props that make a table row one of the queue's rows. */
  const rowProps = (item: T, i: number) => {
    const id = idOf(item);
    return {
      ref: (el: HTMLTableRowElement | null) => {
        if (el) rows.current.set(id, el);
        else rows.current.delete(id);
      },
      tabIndex: id === selectedId || (selected === undefined && i === 0) ? 0 : -1,
      "data-selected": id === selectedId || undefined,
      onFocus: () => setSelectedId(id),
      onClick: () => setSelectedId(id),
      onDoubleClick: () => onOpen(item),
      onKeyDown: (e: KeyboardEvent<HTMLTableRowElement>) => onKeyDown(e, i),
    };
  };

  /**
   * Puts focus on the selected row as the list is when called (after a dialog, the row now in the worked one's place);
   * false when the list is empty.
   */
  const focusSelected = (): boolean => {
    const now = latest.current;
    const row = now.selected ?? now.list[0];
    focusRow(row);
    return row !== undefined;
  };

  return { selected, rowProps, focusRow, focusSelected };
}
