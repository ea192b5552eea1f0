import { Alert, Badge, Container, Group, Loader, Paper, Stack, Text, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { fetchAccount } from "../../api/accounts.js";
import { ApiError } from "../../api/client.js";
import { useCommands } from "../../commands/registry.js";
import { PageTitle } from "../../components/PageTitle.js";
import { FieldList } from "./FieldList.js";

function failure(err: Error, id: string): string {
  if (err instanceof ApiError && err.status === 404) return `There is no account ${id}.`;
  if (err instanceof ApiError && err.status === 403) return "Your roles do not include seeing accounts.";
  return err.message;
}

const STATUS_COLOR: Record<string, string> = { active: "green", pending: "yellow", closed: "gray" };

/** The account view: its header (customer name, account number, status) and, for now, every field it has. */
export function AccountPage() {
  const { accountId } = useParams({ from: "/accounts/$accountId" });
  const id = /^\d{1,15}$/.test(accountId) ? Number(accountId) : null;
  const account = useQuery({
    queryKey: ["account", id],
    queryFn: ({ signal }) => fetchAccount(id!, signal),
    enabled: id !== null,
  });
  useCommands([
    {
      id: "account-refresh",
      label: "Refresh this account",
      description: "Read the account again from the server",
      group: "This page",
      keywords: ["reload"],
      run: () => void account.refetch(),
    },
  ]);

  const data = account.data;
  const name = data?.customer?.display_name;
  const {
    id: _id,
    account_number: _number,
    status: _status,
    customer,
    ...rest
  } = data ?? ({} as Record<string, unknown>);
  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <header>
          <PageTitle title={name ?? (data ? `Account ${data.account_number}` : "Account")}>
            {name ?? (data ? `Account ${data.account_number}` : "Account")}
          </PageTitle>
          {data && (
            <Group gap="sm" mt={4}>
              <Text ff="monospace" size="lg">
                <VisuallyHidden>Account number </VisuallyHidden>
                {data.account_number}
              </Text>
              <Badge color={STATUS_COLOR[data.status] ?? "gray"} variant="light" size="lg">
                {data.status.replace(/_/g, " ")}
              </Badge>
            </Group>
          )}
        </header>
        {id === null && <Alert color="yellow">“{accountId}” is not an account id.</Alert>}
        {account.isPending && id !== null && <Loader size="sm" aria-label="Loading the account" />}
        {account.isError && (
          <Alert color="red" role="alert" title="The account did not load">
            {failure(account.error, accountId)}
          </Alert>
        )}
        {data && (
          <>
            {customer && (
              <Paper withBorder p="md">
                <FieldList data={{ customer }} />
              </Paper>
            )}
            <Paper withBorder p="md">
              <FieldList data={rest} />
            </Paper>
          </>
        )}
      </Stack>
    </Container>
  );
}
