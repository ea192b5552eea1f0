import { Alert, Badge, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { money } from "../account/money.js";
import { fetchLockboxFiles } from "./api.js";
import { LOCKBOX_KEY } from "./keys.js";

const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

/** The lockbox files imported, newest first, with what each posted and sent to suspense. */
export function FilesTable() {
  const files = useQuery({
    queryKey: [...LOCKBOX_KEY, "files"],
    queryFn: ({ signal }) => fetchLockboxFiles(signal),
    // A file still importing (another person's, or one cut off) shows its counters moving.
    refetchInterval: (q) => (q.state.data?.files.some((f) => f.status === "importing") ? 2000 : false),
  });
  return (
    <Stack gap="xs" component="section" aria-labelledby="lockbox-files-title">
      <Title order={2} size="h4" id="lockbox-files-title">
        Files imported
      </Title>
      {files.isPending && <Loader size="sm" aria-label="Loading the files" />}
      {files.isError && (
        <Alert color="red" role="alert">
          {files.error.message}
        </Alert>
      )}
      {files.data && files.data.files.length === 0 && <Text size="sm">No lockbox file has been imported yet.</Text>}
      {files.data && files.data.files.length > 0 && (
        <Table captionSide="top" striped verticalSpacing={4} data-testid="lockbox-files">
          <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
            Lockbox files, newest first
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">File</Table.Th>
              <Table.Th scope="col">Deposit date</Table.Th>
              <Table.Th scope="col" style={NUM}>
                Items
              </Table.Th>
              <Table.Th scope="col" style={NUM}>
                Total
              </Table.Th>
              <Table.Th scope="col" style={NUM}>
                Posted
              </Table.Th>
              <Table.Th scope="col" style={NUM}>
                To suspense
              </Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Imported by</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {files.data.files.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Th scope="row" fw={400}>
                  {f.file_name}
                </Table.Th>
                <Table.Td>{f.deposit_date}</Table.Td>
                <Table.Td style={NUM}>{f.item_count.toLocaleString("en-US")}</Table.Td>
                <Table.Td style={NUM}>{money(f.total_cents)}</Table.Td>
                <Table.Td style={NUM}>
                  {f.posted_count.toLocaleString("en-US")} · {money(f.posted_cents)}
                </Table.Td>
                <Table.Td style={NUM}>
                  {f.suspense_count.toLocaleString("en-US")} · {money(f.suspense_cents)}
                </Table.Td>
                <Table.Td>
                  <Badge color={f.status === "imported" ? "green" : "blue"} variant="light">
                    {f.status === "imported" ? "Imported" : "Importing"}
                  </Badge>
                </Table.Td>
                <Table.Td>{f.imported_by}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
