import { Alert, Badge, Button, Container, Group, Kbd, Loader, Stack, Text, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
import { fetchAccount } from "../../api/accounts.js";
import { ApiError } from "../../api/client.js";
import { useCommands } from "../../commands/registry.js";
import { PageTitle } from "../../components/PageTitle.js";
import { restoreFocus } from "../../focus.js";
import { useCan } from "../../user.js";
import { ContactList, CustomerDetails, FlagBadges, Section } from "./AccountSections.js";
import { ActivityTimeline } from "./ActivityTimeline.js";
import { AuditHistory } from "./AuditHistory.js";
import { BalanceSection } from "./BalanceSection.js";
import { BalanceSummary } from "./BalanceSummary.js";
import { BillsSection } from "./BillsSection.js";
import { CollectionsSection } from "./CollectionsSection.js";
import { ContactModal } from "./ContactModal.js";
import { CreditSection } from "./CreditSection.js";
import { EditCustomerModal } from "./EditCustomerModal.js";
import { words } from "./format.js";
import { LevelPaySection } from "./LevelPaySection.js";
import { ServiceSection } from "./ServiceSection.js";
import { EnrolmentList } from "./ServiceTables.js";

function failure(err: Error, id: string): string {
  if (err instanceof ApiError && err.status === 404) return `There is no account ${id}.`;
  if (err instanceof ApiError && err.status === 403) return "Your roles do not include seeing accounts.";
  return err.message;
}

const STATUS_COLOR: Record<string, string> = { active: "green", pending: "yellow", closed: "gray" };

/**
 * The account view on one screen: header with protection flags and the balance, then customer, activity, balance
 * and items, bills, credit and deposits, premises and service, enrolments, contacts and audit history. `c` logs a
 * contact, `e` edits the customer's details, `t` jumps to the activity, `b` to the balance and items, `p` takes a
 * payment, `a` adjusts the account, `d` requires a deposit and `l` records a letter of credit (all also in the
 * palette).
 */
export function AccountPage() {
  const { accountId } = useParams({ from: "/accounts/$accountId" });
  const id = /^\d{1,15}$/.test(accountId) ? Number(accountId) : null;
  const account = useQuery({
    queryKey: ["account", id],
    queryFn: ({ signal }) => fetchAccount(id!, signal),
    enabled: id !== null,
  });
  const [dialog, setDialog] = useState<"contact" | "edit" | null>(null);
  const canSeeLedger = useCan("ledger.read");
  const canSeeBills = useCan("bills.read");
  const canSeeCollections = useCan("collections.read");
  const data = account.data;
  const customer = data?.customer ?? null;
  const canContact = data !== undefined && data.recent_contacts !== null;
  const close = () => {
    setDialog(null);
    // After the modal's own focus return, put focus back where the person was (the heading on arrival).
    setTimeout(restoreFocus, 0);
  };

  useCommands([
    ...(canContact
      ? [
          {
            id: "account-log-contact",
            label: "Log contact",
            description: "Write down a call or other contact with this customer",
            group: "This page" as const,
            shortcut: "c",
            keywords: ["call", "wrap-up", "note"],
            run: () => setDialog("contact"),
          },
        ]
      : []),
    ...(customer
      ? [
          {
            id: "account-edit-customer",
            label: "Edit customer details",
            description: "Phone numbers, email and mailing address",
            group: "This page" as const,
            shortcut: "e",
            keywords: ["phone", "email", "address", "change"],
            run: () => setDialog("edit"),
          },
        ]
      : []),
    {
      id: "account-refresh",
      label: "Refresh this account",
      description: "Read the account again from the server",
      group: "This page",
      keywords: ["reload"],
      run: () => void account.refetch(),
    },
  ]);

  const title = customer?.display_name ?? (data ? `Account ${data.account_number}` : "Account");
  return (
    <Container size="xl" px={0}>
      <Stack gap="md">
        <header>
          <PageTitle title={title}>{title}</PageTitle>
          {data && (
            <Group gap="sm" mt={4}>
              <Text ff="monospace" size="lg">
                <VisuallyHidden>Account number </VisuallyHidden>
                {data.account_number}
              </Text>
              <Badge color={STATUS_COLOR[data.status] ?? "gray"} variant="light" size="lg">
                {data.status.replace(/_/g, " ")}
              </Badge>
              {data.customer_class && (
                <Badge color="gray" variant="outline" size="lg">
                  {words(data.customer_class)}
                </Badge>
              )}
              {customer && <FlagBadges party={customer} />}
            </Group>
          )}
          {data && id !== null && canSeeLedger && <BalanceSummary accountId={id} cashOnly={data.cash_only === true} />}
        </header>
        {id === null && <Alert color="yellow">“{accountId}” is not an account id.</Alert>}
        {account.isPending && id !== null && <Loader size="sm" aria-label="Loading the account" />}
        {account.isError && (
          <Alert color="red" role="alert" title="The account did not load">
            {failure(account.error, accountId)}
          </Alert>
        )}
        {data && id !== null && (
          <>
            {customer && (
              <Section
                title="Customer"
                actions={
                  <Button size="xs" variant="light" onClick={() => setDialog("edit")}>
                    Edit details{" "}
                    <Kbd ml={6} size="xs">
                      e
                    </Kbd>
                  </Button>
                }
              >
                <CustomerDetails party={customer} />
              </Section>
            )}
            <ActivityTimeline accountId={id} />
            {canSeeLedger && (
              <BalanceSection accountId={id} accountNumber={data.account_number} cashOnly={data.cash_only === true} />
            )}
            {canSeeBills && <BillsSection accountId={id} />}
            {canSeeCollections && <CollectionsSection accountId={id} />}
            <CreditSection accountId={id} />
            <LevelPaySection accountId={id} />
            <ServiceSection
              accountId={id}
              status={data.status}
              agreements={data.service_agreements ?? []}
              today={data.as_of ?? new Date().toISOString().slice(0, 10)}
            />
            <Section title="Enrolments">
              <EnrolmentList enrolments={data.enrolments ?? []} asOf={data.as_of} />
            </Section>
            {data.recent_contacts && (
              <Section
                title="Contacts"
                actions={
                  <Button size="xs" variant="light" onClick={() => setDialog("contact")}>
                    Log contact{" "}
                    <Kbd ml={6} size="xs">
                      c
                    </Kbd>
                  </Button>
                }
              >
                <ContactList contacts={data.recent_contacts} />
              </Section>
            )}
            <Section title="Audit history">
              <AuditHistory accountId={id} />
            </Section>
            <ContactModal accountId={id} opened={dialog === "contact"} onClose={close} />
            {customer && <EditCustomerModal party={customer} opened={dialog === "edit"} onClose={close} />}
          </>
        )}
      </Stack>
    </Container>
  );
}
