import { Alert, Button, Container, Group, Stack, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { searchAccounts } from "../../api/search.js";
import { SearchResults } from "./SearchResults.js";

function searchFailure(err: Error): string {
  if (err instanceof ApiError && err.status === 404) return "Search is not available on this server yet.";
  if (err instanceof ApiError && err.status === 403) return "Your roles do not include searching customers.";
  return err.message;
}

/** Home: find a customer or account by anything the caller says. */
export function HomePage() {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [tried, setTried] = useState(false);
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => box.current?.focus(), []);

  const search = useQuery({
    queryKey: ["search", query],
    queryFn: ({ signal }) => searchAccounts(query, signal),
    enabled: query.length > 0,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    const next = text.trim();
    // Searching the same words again asks the server again: the caller may have just changed something.
    if (next && next === query) void search.refetch();
    else setQuery(next);
  };

  return (
    <Container size="lg" px={0}>
      <Stack gap="lg">
        <Title order={2}>Find a customer</Title>
        <search aria-label="Customers and accounts">
          <form onSubmit={submit}>
            <Group align="flex-start" wrap="nowrap">
              <TextInput
                ref={box}
                flex={1}
                type="search"
                label="Search"
                description="Name, business, account number, phone, email, address, meter number or last four of an ID"
                name="q"
                autoComplete="off"
                value={text}
                onChange={(e) => setText(e.currentTarget.value)}
                error={tried && !text.trim() ? "Type something to search for" : undefined}
              />
              <Button type="submit" mt={44} loading={search.isFetching}>
                Search
              </Button>
            </Group>
          </form>
        </search>
        {search.isError && (
          <Alert color="red" title="Search failed" role="alert">
            {searchFailure(search.error)}
          </Alert>
        )}
        {search.isSuccess && <SearchResults query={query} results={search.data.results} />}
        {!query && (
          <Text c="dimmed" size="sm">
            Results show one row per account, best match first.
          </Text>
        )}
      </Stack>
    </Container>
  );
}
