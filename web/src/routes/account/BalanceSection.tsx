import { Alert, Button, Group, Kbd, Loader, Stack, Tabs, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { fetchBalances, fetchLedger, fetchOpenItems, moneyKey } from "../../api/ledger.js";
import { useCommands } from "../../commands/registry.js";
import { restoreFocus } from "../../focus.js";
import { useCan } from "../../user.js";
import { jumpToSection, Section } from "./AccountSections.js";
import { AdjustmentList } from "./AdjustmentList.js";
import { AdjustmentModal } from "./AdjustmentModal.js";
import { AgingTable, LedgerTable, OpenItemsTable, UnappliedCreditsTable } from "./LedgerTables.js";
import { money } from "./money.js";
import { PaymentHistory } from "./PaymentHistory.js";
import { PaymentModal } from "./PaymentModal.js";
import { RefundModal } from "./RefundModal.js";

const noRetryOn403 = (count: number, err: Error) => !(err instanceof ApiError && err.status === 403) && count < 2;

/** The account's balance, amount due, past due and aging (shared by the header and the section). */
export function useBalances(accountId: number, enabled = true) {
  return useQuery({
    queryKey: [...moneyKey(accountId), "balances"],
    queryFn: ({ signal }) => fetchBalances(accountId, signal),
    retry: noRetryOn403,
    enabled,
  });
}

/** Focuses the section's selected tab (or its heading while it loads) and brings the section into view. */
export function jumpToBalance() {
  jumpToSection("section-balance-and-items", "[role=tab][aria-selected=true]");
}

function Failed({ error, what }: { error: Error; what: string }) {
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <Alert color={forbidden ? "gray" : "red"}>
      {forbidden ? `Your roles do not include ${what}.` : `${what} did not load: ${error.message}`}
    </Alert>
  );
}

/**
 * "Balance and items": aging, then tabs of the open items and unapplied credits, the ledger with the running
 * balance, the payments and the adjustments. `b` (also in the palette) jumps here with focus on the selected tab;
 * arrows switch tabs. `p` takes a payment, `a` adjusts the account.
 */
export function BalanceSection({
  accountId,
  accountNumber,
  cashOnly,
}: {
  accountId: number;
  accountNumber: string;
  cashOnly: boolean;
}) {
  const [tab, setTab] = useState<string | null>("items");
  const canTake = useCan("payments.take");
  const [paying, setPaying] = useState(false);
  const closePayment = () => {
    setPaying(false);
    setTimeout(restoreFocus, 0);
  };
  const canAdjust = useCan("adjustments.make");
  const [adjusting, setAdjusting] = useState(false);
  // What the last adjustment did: said above the adjustments, which take focus so the person hears it.
  const [adjusted, setAdjusted] = useState<{ text: string; accountId: number } | null>(null);
  const adjustedLine = useRef<HTMLParagraphElement>(null);
  const closeAdjustment = (done?: string) => {
    setAdjusting(false);
    if (!done) return void setTimeout(restoreFocus, 0);
    setTab("adjustments");
    setAdjusted({ text: done, accountId });
  };
  // Runs once the tab shows the line; before the closing dialog's own focus return, which then stays away.
  useEffect(() => {
    if (adjusted) adjustedLine.current?.focus();
  }, [adjusted]);
  // A refund is offered while the account has a credit balance; what it did is said like an adjustment.
  const [refunding, setRefunding] = useState(false);
  const closeRefund = (done?: string) => {
    setRefunding(false);
    closeAdjustment(done);
  };
  // Asked for a tab from the palette: focus it once it is the selected one.
  const [jump, setJump] = useState(0);
  useEffect(() => {
    if (jump) jumpToBalance();
  }, [jump]);
  const balances = useBalances(accountId);
  const canRefund = useCan("refunds.request") && (balances.data?.balance_cents ?? 0) < 0;
  const items = useQuery({
    queryKey: [...moneyKey(accountId), "items"],
    queryFn: ({ signal }) => fetchOpenItems(accountId, signal),
    retry: noRetryOn403,
  });
  const ledger = useQuery({
    queryKey: [...moneyKey(accountId), "ledger"],
    queryFn: ({ signal }) => fetchLedger(accountId, signal),
    retry: noRetryOn403,
    enabled: tab === "ledger",
  });

  const showTab = (value: string) => {
    setTab(value);
    setJump((n) => n + 1);
  };
  useCommands([
    ...(canTake
      ? [
          {
            id: "account-take-payment",
            label: "Take a payment",
            description: "A check or money order, by phone, mail or at the counter; the amount due filled in",
            group: "This page" as const,
            shortcut: "p",
            keywords: ["pay", "check", "money order", "receipt"],
            run: () => setPaying(true),
          },
        ]
      : []),
    ...(canAdjust
      ? [
          {
            id: "account-adjust",
            label: "Adjust the account",
            description: "A credit (courtesy, billing error, fee waived) or a charge, with a reason",
            group: "This page" as const,
            shortcut: "a",
            keywords: ["adjustment", "courtesy credit", "charge", "waive fee", "billing error", "meter error"],
            run: () => setAdjusting(true),
          },
        ]
      : []),
    ...(canRefund
      ? [
          {
            id: "account-refund",
            label: "Refund the credit balance",
            description: "By check to the mailing address, or by ACH",
            group: "This page" as const,
            shortcut: "r",
            keywords: ["refund", "credit balance", "overpayment", "check", "ach"],
            run: () => setRefunding(true),
          },
        ]
      : []),
    {
      id: "account-balance",
      label: "Balance and items",
      description: "Aging, open items and unapplied credits",
      group: "This page",
      shortcut: "b",
      keywords: ["owed", "amount due", "past due", "receivables", "arrears"],
      run: jumpToBalance,
    },
    {
      id: "account-ledger",
      label: "Show the ledger",
      description: "Every entry on the account with the balance after it",
      group: "This page",
      keywords: ["ledger", "running balance", "history", "journal"],
      run: () => showTab("ledger"),
    },
    {
      id: "account-payments",
      label: "Payment history",
      description: "The account's payments with receipts; reverse or transfer one",
      group: "This page",
      keywords: ["payments", "receipt", "reverse", "returned check", "transfer", "wrong account"],
      run: () => showTab("payments"),
    },
    {
      id: "account-adjustments",
      label: "Adjustment history",
      description: "The account's credit and charge adjustments, with reasons and who made them",
      group: "This page",
      keywords: ["adjustments", "courtesy credit", "charges", "credits", "history"],
      run: () => showTab("adjustments"),
    },
  ]);

  const b = balances.data;
  const openCount = items.data?.items.length;
  return (
    <Section
      title="Balance and items"
      actions={
        (canTake || canAdjust || canRefund) && (
          <Group gap="xs">
            {canTake && (
              <Button size="xs" variant="light" onClick={() => setPaying(true)}>
                Take a payment{" "}
                <Kbd ml={6} size="xs">
                  p
                </Kbd>
              </Button>
            )}
            {canAdjust && (
              <Button size="xs" variant="light" onClick={() => setAdjusting(true)}>
                Adjust{" "}
                <Kbd ml={6} size="xs">
                  a
                </Kbd>
              </Button>
            )}
            {canRefund && (
              <Button size="xs" variant="light" onClick={() => setRefunding(true)}>
                Refund{" "}
                <Kbd ml={6} size="xs">
                  r
                </Kbd>
              </Button>
            )}
          </Group>
        )
      }
    >
      <Stack gap="sm">
        {balances.isPending && <Loader size="sm" aria-label="Loading the balance" />}
        {balances.isError && <Failed error={balances.error} what="the balance" />}
        {b && (
          <>
            <AgingTable balances={b} />
            <Group gap="lg">
              <Text size="sm">
                Not billed yet: <b>{money(b.unbilled_cents)}</b>
              </Text>
              <Text size="sm">
                Unapplied credit: <b>{money(b.unapplied_credit_cents)}</b>
              </Text>
            </Group>
          </>
        )}
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List aria-label="Balance and items">
            <Tabs.Tab value="items">Open items{openCount === undefined ? "" : ` (${openCount})`}</Tabs.Tab>
            <Tabs.Tab value="ledger">Ledger</Tabs.Tab>
            <Tabs.Tab value="payments">Payments</Tabs.Tab>
            <Tabs.Tab value="adjustments">Adjustments</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="items" pt="sm">
            {items.isPending && <Loader size="sm" aria-label="Loading the open items" />}
            {items.isError && <Failed error={items.error} what="the open items" />}
            {items.data && (
              <Stack gap="md">
                <OpenItemsTable items={items.data.items} asOf={b?.as_of ?? ""} />
                <UnappliedCreditsTable credits={items.data.credits} />
              </Stack>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="ledger" pt="sm">
            {ledger.isPending && <Loader size="sm" aria-label="Loading the ledger" />}
            {ledger.isError && <Failed error={ledger.error} what="the ledger" />}
            {ledger.data && <LedgerTable postings={ledger.data.postings} complete={ledger.data.complete} />}
          </Tabs.Panel>
          <Tabs.Panel value="payments" pt="sm">
            <PaymentHistory accountId={accountId} accountNumber={accountNumber} />
          </Tabs.Panel>
          <Tabs.Panel value="adjustments" pt="sm">
            <AdjustmentList
              accountId={accountId}
              notice={adjusted?.accountId === accountId ? adjusted.text : null}
              noticeRef={adjustedLine}
            />
          </Tabs.Panel>
        </Tabs>
      </Stack>
      {canTake && (
        <PaymentModal
          accountId={accountId}
          amountDueCents={b?.amount_due_cents}
          cashOnly={cashOnly}
          opened={paying}
          onClose={closePayment}
        />
      )}
      {canAdjust && <AdjustmentModal accountId={accountId} opened={adjusting} onClose={closeAdjustment} />}
      {canRefund && b && (
        <RefundModal accountId={accountId} creditCents={-b.balance_cents} opened={refunding} onClose={closeRefund} />
      )}
    </Section>
  );
}
