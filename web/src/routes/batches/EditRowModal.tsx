import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { ApiError } from "../../api/client.js";
import { amountText, readAmount } from "./amount.js";
import { type Batch, type BatchRow, type BatchTender, batchKey, editRow } from "./api.js";
import { CHECK_LABEL } from "./KeyingRow.js";
import { accountError, useAccountGlance } from "./useKeying.js";

type Errors = Partial<Record<"account" | "amount" | "check", string>>;
const FIELDS: Record<string, keyof Errors> = {
  account_number: "account",
  amount_cents: "amount",
  check_number: "check",
};

/** Corrects one keyed row: account number (checked as typed), amount, check number. Enter saves, Esc leaves. */
export function EditRowModal({
  batch,
  row,
  tender,
  onClose,
}: {
  batch: Batch;
  row: BatchRow | null;
  tender: BatchTender;
  onClose: (saved?: string) => void;
}) {
  const [account, setAccount] = useState("");
  const [amount, setAmount] = useState("");
  const [check, setCheck] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const glance = useAccountGlance(account);
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (body: Parameters<typeof editRow>[2]) => editRow(batch.id, row!.position, body),
    onSuccess: (view) => {
      client.setQueryData(batchKey(batch.id), view);
      onClose(`Row ${row!.position} corrected.`);
    },
    onError: (err) => {
      const found: Errors = {};
      if (err instanceof ApiError) {
        for (const e of err.problem.errors ?? []) {
          const field = FIELDS[e.field];
          if (field) found[field] = e.message;
        }
        // Someone changed the batch meanwhile: show it as it is now.
        if (err.status === 409) void client.invalidateQueries({ queryKey: batchKey(batch.id) });
      }
      setErrors(found);
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a newly opened row resets the form
  useEffect(() => {
    if (!row) return;
    setAccount(row.account_number);
    setAmount(amountText(row.amount_cents));
    setCheck(row.check_number ?? "");
    setErrors({});
    save.reset();
  }, [row]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!row || save.isPending) return;
    const found: Errors = {};
    const accountProblem = accountError(account, true, glance.notOnFile);
    if (accountProblem) found.account = accountProblem;
    const cents = readAmount(amount);
    if ("error" in cents) found.amount = cents.error;
    const number = check.trim();
    if (number && !/^[\w-]{1,30}$/.test(number)) found.check = "1-30 letters, digits or dashes";
    setErrors(found);
    if (Object.keys(found).length > 0 || "error" in cents) return;
    save.mutate({
      account_number: account,
      amount_cents: Number(cents.cents),
      check_number: number || null,
      version: batch.version,
    });
  };
  const unexplained = save.isError && Object.keys(errors).length === 0;

  return (
    <Modal
      opened={row !== null}
      onClose={() => onClose()}
      title={row ? `Correct row ${row.position}` : "Correct a row"}
    >
      <form onSubmit={submit} noValidate aria-label="Correct the row">
        <Stack gap="sm">
          {unexplained && (
            <Alert color="red" role="alert" title="Not saved">
              {save.error?.message}
            </Alert>
          )}
          <TextInput
            data-autofocus
            label="Account number"
            inputMode="numeric"
            autoComplete="off"
            maxLength={10}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
            value={account}
            error={errors.account ?? accountError(account, false, glance.notOnFile)}
            description={glance.name ?? " "}
            onFocus={(e) => e.currentTarget.select()}
            onChange={(e) => {
              setAccount(e.currentTarget.value.replace(/\D/g, ""));
              setErrors((x) => ({ ...x, account: undefined }));
            }}
          />
          <TextInput
            label="Amount"
            leftSection="$"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            error={errors.amount}
            onFocus={(e) => e.currentTarget.select()}
            onChange={(e) => {
              setAmount(e.currentTarget.value);
              setErrors((x) => ({ ...x, amount: undefined }));
            }}
          />
          <TextInput
            label={CHECK_LABEL[tender]}
            autoComplete="off"
            maxLength={30}
            value={check}
            error={errors.check}
            onChange={(e) => {
              setCheck(e.currentTarget.value);
              setErrors((x) => ({ ...x, check: undefined }));
            }}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Enter saves, Esc leaves it as it was
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                Save the row
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
