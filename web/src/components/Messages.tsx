import { Alert, Container, Stack, Text } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import { PageTitle } from "./PageTitle.js";

/** A page the signed-in user's roles do not open. */
export function NoAccess({ what }: { what: string }) {
  return (
    <Container size="md" px={0}>
      <Stack>
        <PageTitle>{what}</PageTitle>
        <Alert color="yellow" title="Not available to you">
          Your roles do not include {what.toLowerCase()}. Ask an administrator if you need it.
        </Alert>
      </Stack>
    </Container>
  );
}

/** An address the workstation does not know. */
export function NotFound() {
  return (
    <Container size="md" px={0}>
      <Stack>
        <PageTitle>Page not found</PageTitle>
        <Text>
          There is no page at this address. <Link to="/">Go to the search page</Link>.
        </Text>
      </Stack>
    </Container>
  );
}
