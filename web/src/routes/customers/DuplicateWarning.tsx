import { Alert, Button, Container, List, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useRef } from "react";
import type { NewCustomerResponse } from "../../api/customers.js";
import { searchAccounts } from "../../api/search.js";
import { PageTitle } from "../../components/PageTitle.js";
import classes from "./DuplicateWarning.module.css";

/**
 * Shown when the new customer may already be one: the account was opened all the same, and the CSR sees the
 * accounts of customers with the same name before going on (to merge or close later, not to lose the call).
 */
export function DuplicateWarning({ made, onContinue }: { made: NewCustomerResponse; onContinue: () => void }) {
  const name = made.party.display_name;
  const proceed = useRef<HTMLButtonElement>(null);
  // The page does not change address, so focus is put on the way on here, where the warning is read from.
  useEffect(() => proceed.current?.focus(), []);
  // The API names the matching customers; their accounts are found by the same name the customer was opened with.
  const others = useQuery({
    queryKey: ["duplicates", made.account.id],
    queryFn: ({ signal }) => searchAccounts(name.replace(",", " "), 25, signal),
    select: (r) => r.results.filter((a) => a.account_id !== made.account.id && a.name === name),
  });

  return (
    <Container size="md" px={0}>
      <Stack gap="md">
        <PageTitle title="Possible duplicate customer">Possible duplicate customer</PageTitle>
        <Alert color="yellow" role="alert" title={`${name} may already be a customer`}>
          <Stack gap="xs">
            <Text size="sm">
              Account {made.account.account_number} was opened. {made.possible_duplicate_ids.length} existing customer
              {made.possible_duplicate_ids.length === 1 ? " has" : "s have"} the same name and birth date or the same
              identity number. Check with the caller before going on.
            </Text>
            {others.isPending && <Text size="sm">Looking up their accounts…</Text>}
            {others.data && others.data.length > 0 && (
              <List size="sm" aria-label="Accounts of the matching customers">
                {others.data.map((a) => (
                  <List.Item key={a.account_id}>
                    <Link
                      className={classes.link}
                      to="/accounts/$accountId"
                      params={{ accountId: String(a.account_id) }}
                    >
                      {a.name}, account {a.account_number}
                    </Link>
                    {a.service_address ? ` (${a.service_address})` : ""}
                  </List.Item>
                ))}
              </List>
            )}
            {(others.isError || others.data?.length === 0) && (
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
