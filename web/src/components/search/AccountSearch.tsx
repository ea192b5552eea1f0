import { Box, Group, Kbd, Paper, Text, TextInput, VisuallyHidden } from "@mantine/core";
import { useNavigate } from "@tanstack/react-router";
import { type KeyboardEvent, useEffect, useId, useState } from "react";
import type { SearchResult } from "../../api/search.js";
import classes from "./AccountSearch.module.css";
import { searchFailure, useAccountSearch } from "./useAccountSearch.js";

interface Props {
  /** "header": compact, label hidden; "page": large with its label shown (the home page). */
  variant: "header" | "page";
}

function statusText(s: ReturnType<typeof useAccountSearch>, text: string): string {
  if (s.error) return searchFailure(s.error);
  if (s.fresh && s.results.length === 0) return `No accounts match “${text.trim()}”.`;
  if (s.fresh) return s.results.length === 1 ? "1 account found." : `${s.results.length} accounts found.`;
  if (s.searching && s.results.length === 0) return "Searching…";
  return "";
}

/**
 * The customer search box (ARIA combobox): results as you type in a listbox below it, the best match highlighted,
 * arrows to move, Enter to open the highlighted account, Escape to close (and again to clear). Enter before the
 * results for the latest text have arrived opens the best match as soon as they do.
 */
export function AccountSearch({ variant }: Props) {
  const navigate = useNavigate();
  const listId = useId();
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [pendingEnter, setPendingEnter] = useState(false);
  const search = useAccountSearch(text);
  const { results, fresh } = search;

  // Each new answer highlights its best match, so "type the name, Enter" opens it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new result list (by identity) resets the highlight
  useEffect(() => setActive(0), [results]);

  const openAccount = (r: SearchResult) => {
    setText("");
    setOpen(false);
    setPendingEnter(false);
    void navigate({ to: "/accounts/$accountId", params: { accountId: String(r.account_id) } });
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the awaited answer arrives
  useEffect(() => {
    if (!pendingEnter) return;
    if (search.error) setPendingEnter(false);
    else if (fresh) {
      setPendingEnter(false);
      if (results[0]) openAccount(results[0]);
    }
  }, [pendingEnter, fresh, results, search.error]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const n = results.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) return setOpen(true);
      if (n > 0) setActive((a) => (event.key === "ArrowDown" ? (a + 1) % n : (a - 1 + n) % n));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!text.trim()) return;
      setOpen(true);
      const chosen = results[active];
      if (fresh && chosen) openAccount(chosen);
      else if (!fresh) {
        search.flush();
        setPendingEnter(true);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      setPendingEnter(false);
      if (open && text) setOpen(false);
      else setText("");
    }
  };

  const expanded = open && results.length > 0;
  const status = statusText(search, text);
  const large = variant === "page";
  return (
    <search aria-label="Customers and accounts" className={classes.root}>
      <TextInput
        label="Search customers and accounts"
        labelProps={large ? undefined : { className: classes.hiddenLabel }}
        description={large ? "Name, business, account number, phone, email, address or meter number" : undefined}
        placeholder={large ? "Type a name, then Enter" : "Search customers and accounts"}
        size={large ? "lg" : "sm"}
        name="q"
        autoComplete="off"
        spellCheck={false}
        role="combobox"
        aria-expanded={expanded}
        aria-controls={expanded ? listId : undefined}
        aria-autocomplete="list"
        aria-activedescendant={expanded ? `${listId}-${active}` : undefined}
        data-account-search=""
        data-page-focus={large ? "" : undefined}
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setOpen(true);
        }}
        onFocus={() => text && setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
        rightSection={large ? undefined : <Kbd size="xs">/</Kbd>}
        rightSectionPointerEvents="none"
      />
      <VisuallyHidden role="status">{open ? status : ""}</VisuallyHidden>
      {open && text.trim() && (status || expanded) && (
        <Paper shadow="md" withBorder className={classes.dropdown}>
          {expanded && (
            <div id={listId} role="listbox" aria-label="Accounts found" className={classes.list}>
              {results.map((r, i) => (
                <Box
                  key={r.account_id}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === active}
                  className={classes.option}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => openAccount(r)}
                >
                  <Group justify="space-between" wrap="nowrap" gap="sm">
                    <Text fw={600} size="sm" truncate>
                      {r.name}
                    </Text>
                    <Text ff="monospace" size="sm">
                      {r.account_number}
                    </Text>
                  </Group>
                  <Text size="xs" c="gray.7" truncate>
                    {r.service_address ?? "No service address"}
                  </Text>
                </Box>
              ))}
            </div>
          )}
          {status && !expanded && (
            <Text size="sm" px="sm" py="xs" c="gray.8" aria-hidden="true">
              {status}
            </Text>
          )}
        </Paper>
      )}
    </search>
  );
}
