import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError } from "../../api/client.js";
import { searchAccounts } from "../../api/search.js";

export const SEARCH_LIMIT = 10;
const DEBOUNCE_MS = 150;
// One letter matches half the customer base: search as you type from two, or on Enter from one.
const MIN_AS_YOU_TYPE = 2;

/**
 * Results as you type: the text is sent 150 ms after the last keystroke, a newer text cancels the request for an
 * older one (the query's AbortSignal), and the previous results stay on screen until the new ones arrive.
 */
export function useAccountSearch(text: string) {
  const wanted = text.trim();
  const [query, setQuery] = useState(wanted);
  useEffect(() => {
    if (wanted === query) return;
    if (wanted && wanted.length < MIN_AS_YOU_TYPE) return;
    const timer = setTimeout(() => setQuery(wanted), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [wanted, query]);

  const result = useQuery({
    queryKey: ["search", query, SEARCH_LIMIT],
    queryFn: ({ signal }) => searchAccounts(query, SEARCH_LIMIT, signal),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  return {
    /** The results on screen (possibly for an older text while the newer one is on its way). */
    results: wanted ? (result.data?.results ?? []) : [],
    /** True once the results are those of the text in the box. */
    fresh: wanted.length > 0 && query === wanted && result.isSuccess && !result.isPlaceholderData,
    searching: wanted.length > 0 && (result.isFetching || query !== wanted),
    error: wanted && query === wanted && result.isError ? result.error : null,
    /** Sends the text now instead of waiting for the pause (Enter). */
    flush: () => setQuery(wanted),
  };
}

/** A failed search, said quietly: search may not exist on an older server, or the user's roles may not allow it. */
export function searchFailure(err: Error): string {
  if (err instanceof ApiError && err.status === 404) return "Search is not available on this server yet.";
  if (err instanceof ApiError && err.status === 403) return "Your roles do not include searching customers.";
  return `Search failed: ${err.message}`;
}
