import { Alert, Button, Container, List, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import { ApiError } from "../../api/client.js";
import { fetchParty, fetchPartyAccounts, type NewCustomerResponse, type PartyAccount } from "../../api/customers.js";
import { PageTitle } from "../../components/PageTitle.js";
import classes from "./DuplicateWarning.module.css";

/** More matches than this is a data problem, not a caller: the rest are left to search. */
const MAX_LISTED = 10;

interface Match {
  partyId: number;
  /** Null when the CSR may not read customers: the accounts are listed all the same. */
  name: string | null;
  accounts: PartyAccount[];
}

/** Each matching customer's accounts, by the customer's id (not by name: a match by identity number may differ). */
async function matchesOf(partyIds: number[], newAccountId: number, signal: AbortSignal): Promise<Match[]> {
  return Promise.all(
    partyIds.slice(0, MAX_LISTED).map(async (partyId) => {
      const [party, listed] = await Promise.all([
        fetchParty(partyId, signal).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 403) return null;
          throw err;
        }),
        fetchPartyAccounts(partyId, signal),
      ]);
      return {
        partyId,
        name: party?.display_name ?? null,
        accounts: listed.accounts.filter((a) => a.id !== newAccountId),
      };
    }),
  );
}

const roleText = (a: PartyAccount) => (a.role === "main" ? "main customer" : "co-applicant");

/**
 * Shown when the new customer may already be one: the account was opened all the same, and the CSR sees the
 * accounts of the matching customers before going on (to merge or close later, not to lose the call).
 */
export function DuplicateWarning({ made, onContinue }: { made: NewCustomerResponse; onContinue: () => void }) {
  const name = made.party.display_name;
  const ids = made.possible_duplicate_ids;
  const proceed = useRef<HTMLButtonElement>(null);
  // The page does not change address, so focus is put on the way on here, where the warning is read from.
  useEffect(() => proceed.current?.focus(), []);
  const matches = useQuery({
    queryKey: ["duplicates", made.account.id, ids],
    queryFn: ({ signal }) => matchesOf(ids, made.account.id, signal),
    enabled: ids.length > 0,
  });
  const listed = matches.data?.flatMap((m) => m.accounts.map((a) => ({ match: m, account: a }))) ?? [];
  const without = matches.data?.filter((m) => m.accounts.length === 0) ?? [];

  return (
    <Container size="md" px={0}>
      <Stack gap="md">
        <PageTitle title="Possible duplicate customer">Possible duplicate customer</PageTitle>
        <Alert color="yellow" role="alert" title={`${name} may already be a customer`}>
          <Stack gap="xs">
            <Text size="sm">
              Account {made.account.account_number} was opened. {ids.length} existing customer
              {ids.length === 1 ? " has" : "s have"} the same name and birth date or the same identity number. Check
              with the caller before going on.
            </Text>
            {matches.isPending && ids.length > 0 && <Text size="sm">Looking up their accounts…</Text>}
            {listed.length > 0 && (
              <List size="sm" aria-label="Accounts of the matching customers">
                {listed.map(({ match, account: a }) => (
                  <List.Item key={`${match.partyId}-${a.id}`}>
                    <Link className={classes.link} to="/accounts/$accountId" params={{ accountId: String(a.id) }}>
                      {match.name ?? `Customer ${match.partyId}`}, account {a.account_number}
                    </Link>{" "}
                    ({[a.status, roleText(a), a.service_address].filter(Boolean).join("; ")})
                  </List.Item>
                ))}
              </List>
            )}
            {without.length > 0 && (
              <Text size="sm">
                No account yet for {without.map((m) => m.name ?? `customer ${m.partyId}`).join(", ")}.
              </Text>
            )}
            {ids.length > MAX_LISTED && (
              <Text size="sm">
                Only the first {MAX_LISTED} matching customers are listed; search for {name} to find the rest.
              </Text>
            )}
            {matches.isError && (
              <Text size="sm">Their accounts could not be listed; search for {name} to find them.</Text>
            )}
          </Stack>
        </Alert>
        <div>
          <Button ref={proceed} onClick={onContinue}>
            Continue to the new account
          </Button>
        </div>
      </Stack>
    </Container>
  );
}
