import { Alert, Group, Text, TextInput } from "@mantine/core";
import type { KeyboardEvent } from "react";
import type { BatchTender } from "./api.js";
import type { useKeying } from "./useKeying.js";

export const CHECK_LABEL: Record<BatchTender, string> = { check: "Check number", money_order: "Serial number" };

/** What is beside the account number: the customer's name once the number is on file. */
function Glance({ keying }: { keying: ReturnType<typeof useKeying> }) {
  const { glance } = keying;
  const text = glance.name ?? (glance.looking ? "Looking up…" : "");
  return (
    <Text size="sm" fw={600} data-testid="account-glance" mt={34} miw={200} aria-live="polite">
      {text}
    </Text>
  );
}

/**
 * Account number, Enter, Amount, Enter. ArrowDown from the account number goes to the rows keyed (newest first),
 * to correct or remove one.
 */
export function KeyingRow({
  keying,
  tender,
  onToRows,
}: {
  keying: ReturnType<typeof useKeying>;
  tender: BatchTender;
  onToRows: () => void;
}) {
  const { values, errors, refs, set } = keying;
  const onAccountKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      onToRows();
      return;
    }
    keying.onAccountKey(event);
  };
  return (
    <section aria-label="Key a payment">
      {keying.failure && (
        <Alert color="red" role="alert" mb="sm" title="Not keyed">
          {keying.failure}
        </Alert>
      )}
      <Group align="flex-start" gap="md" wrap="wrap">
        <TextInput
          ref={refs.account}
          data-page-focus
          label="Account number"
          description="10 digits, then Enter"
          inputMode="numeric"
          autoComplete="off"
          maxLength={10}
          w={220}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", letterSpacing: "0.05em" } }}
          value={values.account}
          error={errors.account}
          onChange={(e) => set("account", e.currentTarget.value.replace(/\D/g, ""))}
          onKeyDown={onAccountKey}
        />
        <Glance keying={keying} />
        <TextInput
          ref={refs.amount}
          label="Amount"
          description="Dollars, like 125.50"
          leftSection="$"
          inputMode="decimal"
          autoComplete="off"
          w={190}
          value={values.amount}
          error={errors.amount}
          onChange={(e) => set("amount", e.currentTarget.value)}
          onKeyDown={keying.onAmountKey}
        />
        <TextInput
          ref={refs.check}
          label={CHECK_LABEL[tender]}
          description="Optional"
          autoComplete="off"
          maxLength={30}
          w={170}
          value={values.check}
          error={errors.check}
          onChange={(e) => set("check", e.currentTarget.value)}
          onKeyDown={keying.onAmountKey}
        />
      </Group>
    </section>
  );
}
