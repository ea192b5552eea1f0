import { Container, Kbd, List, Stack, Text } from "@mantine/core";
import { PageTitle } from "../../components/PageTitle.js";
import { AccountSearch } from "../../components/search/AccountSearch.js";

/** Home: find a customer or account by anything the caller says; the search box has the focus on arrival. */
export function HomePage() {
  return (
    <Container size="md" px={0} pt="xl">
      <Stack gap="lg">
        <PageTitle>Find a customer</PageTitle>
        <AccountSearch variant="page" />
        <List size="sm" spacing={4} c="gray.7">
          <List.Item>
            Results appear as you type, best match first: <Kbd>Enter</Kbd> opens it, <Kbd>↓</Kbd> <Kbd>↑</Kbd> pick
            another.
          </List.Item>
          <List.Item>
            <Kbd>/</Kbd> comes back to search from any page; <Kbd>Ctrl</Kbd> <Kbd>K</Kbd> lists every action;{" "}
            <Kbd>?</Kbd> shows all shortcuts.
          </List.Item>
        </List>
        <Text size="sm" c="gray.7">
          One row per account. A person or business with several accounts shows once for each.
        </Text>
      </Stack>
    </Container>
  );
}
