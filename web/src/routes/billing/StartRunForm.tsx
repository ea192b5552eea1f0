import { Alert, Button, Group, Stack, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError } from "../../api/client.js";
import { isDate, problemsOf } from "../tariffs/format.js";
import { type BillRun, RUNS_KEY, runKey, startRun } from "./api.js";
import { today } from "./words.js";

type Field = "cycle" | "bill_date";
type Errors = Partial<Record<Field, string>>;

/** Which field of the form a name in the API's answer is. */
const fieldOf = (name: string): Field | null => {
  const n = name.replace(/^body\./, "");
  return n === "cycle" || n === "bill_date" ? n : null;
};

/** Puts focus on the cycle field. */
export const focusStartRun = () => {
  const el = document.querySelector<HTMLInputElement>("[data-run-cycle]");
  el?.focus();
  el?.select();
};

/** The cycle typed as the API takes it ("7" -> "07"), or null when it is not 1 to 21. */
function cycleOf(text: string): string | null {
  const t = text.trim();
  if (!/^\d{1,2}$/.test(t) || Number(t) < 1 || Number(t) > 21) return null;
  return t.padStart(2, "0");
}

/**
 * Start a bill run: the cycle (1 to 21) and the bill date (today unless changed). The run goes on in the server;
 * `onStarted` gets it for its progress bar. Problems are said at their field: a cycle and date already billed
 * shows the server's message under the bill date.
 */
export function StartRunForm({ onStarted }: { onStarted: (run: BillRun) => void }) {
  const client = useQueryClient();
  const [cycle, setCycle] = useState("");
  const [billDate, setBillDate] = useState(today);
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string[]>([]);
  const start = useMutation({
    mutationFn: startRun,
    onSuccess: (run) => {
      client.setQueryData(runKey(run.id), run);
      void client.invalidateQueries({ queryKey: RUNS_KEY });
      onStarted(run);
    },
    onError: (err) => {
      const found = problemsOf(err, fieldOf);
      const byField: Errors = { ...found.byField };
      // A cycle and date already billed: the server's own words (which run, when it finished) at the date.
      if (err instanceof ApiError && err.status === 422) byField.bill_date = err.message;
      setErrors(byField);
      setGeneral(Object.keys(byField).length ? [] : found.general);
      const first = byField.cycle ? "[data-run-cycle]" : byField.bill_date ? "[data-run-date]" : null;
      if (first) document.querySelector<HTMLInputElement>(first)?.focus();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (start.isPending) return;
    const found: Errors = {};
    const c = cycleOf(cycle);
    if (!c) found.cycle = "A cycle from 1 to 21";
    if (!isDate(billDate.trim())) found.bill_date = "A date written YYYY-MM-DD";
    setErrors(found);
    setGeneral([]);
    if (found.cycle) return focusStartRun();
    if (found.bill_date) return document.querySelector<HTMLInputElement>("[data-run-date]")?.focus();
    start.mutate({ cycle: c!, bill_date: billDate.trim() });
  };
  return (
    <Stack gap="sm" component="section" aria-labelledby="start-run-title">
      <Title order={2} size="h4" id="start-run-title">
        Start a bill run
      </Title>
      <form onSubmit={submit} noValidate aria-label="Start a bill run">
        <Group align="flex-start" gap="sm">
          <TextInput
            label="Cycle"
            description="1 to 21"
            inputMode="numeric"
            autoComplete="off"
            required
            w={110}
            value={cycle}
            error={errors.cycle}
            onChange={(e) => setCycle(e.currentTarget.value)}
            data-run-cycle
          />
          <TextInput
            label="Bill date"
            description="YYYY-MM-DD"
            autoComplete="off"
            required
            w={340}
            value={billDate}
            error={errors.bill_date}
            onFocus={(e) => e.currentTarget.select()}
            onChange={(e) => setBillDate(e.currentTarget.value)}
            data-run-date
          />
          <Button type="submit" loading={start.isPending} mt={44}>
            Start the run
          </Button>
        </Group>
      </form>
      {general.length > 0 && (
        <Alert color="red" role="alert" title="Not started">
          {general.join(" ")}
        </Alert>
      )}
    </Stack>
  );
}
