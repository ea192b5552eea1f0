import { Alert, Container, Loader, Paper, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useSearch } from "@tanstack/react-router";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { fetchTariffs, TARIFFS_KEY } from "./api.js";
import { QuoteForm } from "./QuoteForm.js";

function Quote() {
  const { tariff } = useSearch({ from: "/tariffs/quote" });
  const tariffs = useQuery({ queryKey: TARIFFS_KEY, queryFn: ({ signal }) => fetchTariffs(signal) });
  return (
    <Container size="lg" px={0}>
      <Stack gap="md">
        <PageTitle>Quote a bill</PageTitle>
        <Text size="sm" c="gray.7">
          What a period's usage costs on a tariff in the book, line by line, as the bill would show it. Nothing is
          billed or saved.
        </Text>
        {tariffs.isPending && <Loader size="sm" aria-label="Loading the tariff book" />}
        {tariffs.isError && (
          <Alert color="red" role="alert" title="The tariff book did not load">
            {tariffs.error.message}
          </Alert>
        )}
        {tariffs.data && (
          <Paper withBorder p="md">
            <QuoteForm tariffs={tariffs.data} initialCode={tariff} />
          </Paper>
        )}
      </Stack>
    </Container>
  );
}

/** The bill calculator on its own page: choose the tariff, the period and the usage. */
export function QuotePage() {
  return useCan("tariffs.read") ? <Quote /> : <NoAccess what="Tariff book" />;
}
