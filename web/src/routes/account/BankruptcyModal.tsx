import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { type Bankruptcy, type BankruptcyRequest, recordBankruptcy } from "../../api/collections.js";
import { useMoneyAttempt } from "./attempt.js";
import { money } from "./money.js";
import { refreshMoney } from "./refresh.js";

type Field = "chapter" | "court" | "case_number" | "petition_date";
type Errors = Partial<Record<Field, string>>;

function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  for (const e of err.problem.errors ?? []) {
    const field = e.field as Field;
    // A rule's refusal is said in its own words at the field, with the rule named.
    errors[field] = err.problem.rule ? `${err.problem.detail} (rule ${err.problem.rule})` : e.message;
  }
  return errors;
}

export const bankruptcyOutcome = (b: Bankruptcy) =>
  `Bankruptcy case ${b.case_number} recorded: ${money(BigInt(b.pre_petition_cents))} of debt before the petition of ${b.petition_date} is stayed and not collected. The proof of claim is ready below.`;

/**
 * Record a customer's bankruptcy: the chapter, the court, the case number and the petition date. The debt is split at
 * the petition date, adequate assurance is asked, and the proof of claim is made from it. Ctrl+Enter records it.
 */
export function BankruptcyModal({
  accountId,
  opened,
  onClose,
}: {
  accountId: number;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const [chapter, setChapter] = useState("7");
  const [court, setCourt] = useState("");
  const [caseNumber, setCaseNumber] = useState("");
  const [petition, setPetition] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    chapter: useRef<HTMLSelectElement>(null),
    court: useRef<HTMLInputElement>(null),
    case_number: useRef<HTMLInputElement>(null),
    petition_date: useRef<HTMLInputElement>(null),
  };
  const attempt = useMoneyAttempt<BankruptcyRequest>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: BankruptcyRequest }) => recordBankruptcy(accountId, body, key),
    onSuccess: async (b) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(bankruptcyOutcome(b));
    },
    onError: (err) => {
      attempt.settle(err);
      const found = fieldErrors(err);
      setErrors(found);
      const first = (Object.keys(found) as Field[])[0];
      if (first) refs[first].current?.focus();
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setChapter("7");
    setCourt("");
    setCaseNumber("");
    setPetition("");
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const missing: Errors = {};
    if (!court.trim()) missing.court = "The bankruptcy court";
    if (!caseNumber.trim()) missing.case_number = "The court's case number";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(petition)) missing.petition_date = "A date YYYY-MM-DD";
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      refs[(Object.keys(missing) as Field[])[0]!].current?.focus();
      return;
    }
    save.mutate(
      attempt.next({
        chapter: Number(chapter) as 7 | 11 | 13,
        court: court.trim(),
        case_number: caseNumber.trim(),
        petition_date: petition,
      }),
    );
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const clear = (f: Field) => setErrors((x) => ({ ...x, [f]: undefined }));

  return (
    <Modal opened={opened} onClose={() => onClose()} title="Record a bankruptcy" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Record a bankruptcy">
        <Stack gap="sm">
          {save.isError && Object.keys(fieldErrors(save.error)).length === 0 && (
            <Alert color="red" role="alert" title="Not recorded">
              {save.error.message}
            </Alert>
          )}
          <NativeSelect
            ref={refs.chapter}
            data-autofocus
            label="Chapter"
            description="Adequate assurance is due in 20 days (30 under Chapter 11)"
            data={[
              { value: "7", label: "Chapter 7 (liquidation)" },
              { value: "11", label: "Chapter 11 (reorganization)" },
              { value: "13", label: "Chapter 13 (wage earner's plan)" },
            ]}
            value={chapter}
            error={errors.chapter}
            onChange={(e) => {
              setChapter(e.currentTarget.value);
              clear("chapter");
            }}
          />
          <TextInput
            ref={refs.court}
            label="Court"
            placeholder="U.S. Bankruptcy Court, Eastern District of California"
            autoComplete="off"
            value={court}
            error={errors.court}
            onChange={(e) => {
              setCourt(e.currentTarget.value);
              clear("court");
            }}
          />
          <TextInput
            ref={refs.case_number}
            label="Case number"
            autoComplete="off"
            value={caseNumber}
            error={errors.case_number}
            onChange={(e) => {
              setCaseNumber(e.currentTarget.value);
              clear("case_number");
            }}
          />
          <TextInput
            ref={refs.petition_date}
            label="Petition date"
            description="YYYY-MM-DD: the day the case was filed"
            autoComplete="off"
            value={petition}
            error={errors.petition_date}
            onChange={(e) => {
              setPetition(e.currentTarget.value);
              clear("petition_date");
            }}
          />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              Ctrl+Enter records it
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                Record bankruptcy
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
