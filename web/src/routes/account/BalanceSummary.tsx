import { Badge, Group, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useBalances } from "./BalanceSection.js";
import { money } from "./money.js";

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div style={{ display: "flex", alignItems: "baseline", gap: 6 }}>
      <Text component="dt" size="sm" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text component="dd" size="lg" fw={700} m={0} style={{ fontVariantNumeric: "tabular-nums" }}>
        {children}
      </Text>
    </div>
  );
}

/**
 * The header's money line: balance (a credit balance says so), amount due, and past due (red when anything is).
 * A cash-only account (after returned payments) says so. Nothing shows for a person whose roles do not include
 * the ledger.
 */
export function BalanceSummary({ accountId, cashOnly }: { accountId: number; cashOnly: boolean }) {
  const balances = useBalances(accountId);
  const b = balances.data;
  if (!b) return null;
  return (
    <Group gap="lg" mt={6}>
      <Group component="dl" gap="lg" m={0} data-testid="balance-summary">
        <Figure label="Balance">
          {money(b.balance_cents)}
          {b.balance_cents < 0 && (
            <Text span size="sm" fw={400}>
              {" "}
              (credit)
            </Text>
          )}
        </Figure>
        <Figure label="Amount due">{money(b.amount_due_cents)}</Figure>
        <Figure label="Past due">
          {b.past_due_cents > 0 ? (
            <Badge color="red.9" variant="filled" size="lg" data-testid="past-due">
              {money(b.past_due_cents)}
            </Badge>
          ) : (
            money(b.past_due_cents)
          )}
        </Figure>
      </Group>
      {cashOnly && (
        <Badge color="orange" variant="light" size="lg" data-testid="cash-only">
          Cash only
        </Badge>
      )}
    </Group>
  );
}
