import { Table, Text } from "@mantine/core";
import type { SearchResult } from "../../api/search.js";

/** The accounts a search found, best first. */
export function SearchResults({ query, results }: { query: string; results: SearchResult[] }) {
  if (results.length === 0) {
    return (
      <Text role="status">
        No accounts match <strong>{query}</strong>.
      </Text>
    );
  }
  return (
    <Table striped highlightOnHover withTableBorder>
      <Table.Caption>
        {results.length === 1 ? "1 account" : `${results.length} accounts`} for “{query}”
      </Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Account</Table.Th>
          <Table.Th scope="col">Name</Table.Th>
          <Table.Th scope="col">Service address</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {results.map((r) => (
          <Table.Tr key={r.account_id}>
            <Table.Td ff="monospace">{r.account_number}</Table.Td>
            <Table.Td>{r.name}</Table.Td>
            <Table.Td>{r.service_address ?? "—"}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
