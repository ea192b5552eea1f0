import { Alert, Button, Group, Loader, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { money } from "../account/money.js";
import { refreshMoney } from "../account/refresh.js";
import { quantity } from "../tariffs/format.js";
import {
  acceptRead,
  BILLING_KEY,
  type Bill,
  type BillAgreement,
  billKey,
  cancelBill,
  fetchBill,
  fetchMeterReads,
  type HeldBill,
  type MeterRead,
  rebillBill,
  releaseBill,
  replaceRead,
} from "./api.js";
import type { Action } from "./BillPanel.js";
import { plainNote, reasonLabel } from "./words.js";

/** What was done, for the line above the queue; a rebill also shows the new total next to the old. */
export interface Done {
  billId: number;
  message: string;
  rebill?: { oldId: number; oldTotal: number; newId: number; newTotal: number };
}

/** A read that could not be corrected, with the agreement whose field it belongs to. */
class ReadStepError extends Error {
  constructor(
    readonly saId: number,
    readonly problem: unknown,
  ) {
    super(problem instanceof Error ? problem.message : String(problem));
  }
}

const READING = /^\d{1,12}(\.\d{1,3})?$/;
const TITLES: Record<Action, string> = {
  release: "Release the bill",
  cancel: "Cancel the bill",
  rebill: "Correct and rebill",
};

/** Agreements whose end read can be corrected here: a meter and the read's id are on the bill. */
const correctable = (bill: Bill | undefined) =>
  (bill?.detail.agreements ?? []).filter((a) => a.meter_number && a.reads?.end?.id !== undefined);

/** A refusal in words. */
function refusal(err: unknown): string {
  if (err instanceof ApiError && err.status === 409)
    return "Someone else worked or changed this bill meanwhile: the queue is read again.";
  return (err as Error).message;
}

/**
 * Release (a note if wanted), cancel (a reason, required), or correct and rebill one held bill: the corrected end
 * reading replaces the read (the old one is kept as replaced), then the bill is cancelled and the account billed
 * again for the same period from the reads as they are now. The bill's version is the row's: if someone else
 * changed the bill meanwhile, nothing happens and the queue is read again. A read already corrected in this dialog
 * is not corrected twice when the rebill is sent again.
 */
export function ActionModal({
  held,
  action,
  opened,
  onClose,
}: {
  /** The bill: kept after closing, so the dialog fades out as it was. */
  held: HeldBill | null;
  action: Action;
  opened: boolean;
  onClose: (done?: Done) => void;
}) {
  const client = useQueryClient();
  const rebill = action === "rebill";
  const bill = useQuery({
    queryKey: billKey(held?.bill_id ?? 0),
    queryFn: ({ signal }) => fetchBill(held!.bill_id, signal),
    enabled: opened && rebill && held !== null,
  });
  const [text, setText] = useState("");
  const [textError, setTextError] = useState<string | undefined>();
  const [readings, setReadings] = useState<Record<number, string>>({});
  const [readingErrors, setReadingErrors] = useState<Record<number, string>>({});
  const corrected = useRef(new Map<number, MeterRead>());
  const textField = useRef<HTMLInputElement>(null);

  const work = useMutation({
    mutationFn: async ({ h, body }: { h: HeldBill; body: { text: string; fix: [BillAgreement, string][] } }) => {
      if (action === "release")
        return {
          kind: "release" as const,
          r: await releaseBill(h.bill_id, { version: h.version, ...(body.text ? { note: body.text } : {}) }),
        };
      if (action === "cancel")
        return { kind: "cancel" as const, r: await cancelBill(h.bill_id, { version: h.version, reason: body.text }) };
      for (const [a, reading] of body.fix) {
        const endId = a.reads!.end!.id!;
        if (corrected.current.has(endId)) continue;
        try {
          const { reads } = await fetchMeterReads(a.meter_number!);
          const current = reads.find((r) => r.id === endId);
          if (!current) throw new Error(`the read of ${a.reads!.end!.read_on} is no longer on file as billed`);
          const { read } = await replaceRead(endId, { version: current.version, reading, note: body.text });
          // The analyst checked this reading: a corrected read the checks would hold is accepted as entered.
          const fresh =
            read.status === "exception"
              ? await acceptRead(read.id, { version: read.version, note: `corrected reading: ${body.text}` })
              : read;
          corrected.current.set(endId, fresh);
        } catch (err) {
          throw new ReadStepError(a.sa_id, err);
        }
      }
      return { kind: "rebill" as const, r: await rebillBill(h.bill_id, { version: h.version, reason: body.text }) };
    },
    onSuccess: async (done, { h, body }) => {
      await Promise.all([client.invalidateQueries({ queryKey: BILLING_KEY }), refreshMoney(client, [h.account_id])]);
      const who = `account ${h.account_number} (${h.name})`;
      if (done.kind === "release") {
        onClose({
          billId: h.bill_id,
          message: `Released bill ${h.bill_id} of ${who}: ${money(h.total_cents)} posted, due ${done.r.due_date}.`,
        });
      } else if (done.kind === "cancel") {
        onClose({
          billId: h.bill_id,
          message: `Cancelled bill ${h.bill_id} of ${who}: ${body.text}. Its period is billed again in the next run.`,
        });
      } else {
        const fixes = body.fix.map(
          ([a, reading]) => `the read of ${a.reads!.end!.read_on} corrected to ${quantity(reading)}`,
        );
        onClose({
          billId: h.bill_id,
          message:
            `Rebilled ${who}: bill ${done.r.bill_id} for ${money(done.r.total_cents)} replaces bill ${h.bill_id} for ` +
            `${money(h.total_cents)}${fixes.length ? `, ${fixes.join(", ")}` : ""}.`,
          rebill: { oldId: h.bill_id, oldTotal: h.total_cents, newId: done.r.bill_id, newTotal: done.r.total_cents },
        });
      }
    },
    onError: (err) => {
      if (err instanceof ReadStepError) {
        setReadingErrors({ [err.saId]: refusal(err.problem) });
        document.querySelector<HTMLInputElement>(`[data-reading-sa="${err.saId}"]`)?.focus();
        return;
      }
      if (err instanceof ApiError && err.status === 409) void client.invalidateQueries({ queryKey: BILLING_KEY });
      const problem = err instanceof ApiError ? err.problem.errors?.find((e) => /^(reason|note)$/.test(e.field)) : null;
      if (problem) {
        setTextError(problem.message);
        textField.current?.focus();
      }
    },
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setText("");
    setTextError(undefined);
    setReadings({});
    setReadingErrors({});
    corrected.current = new Map();
    work.reset();
  }, [opened, held?.bill_id, action]);

  const agreements = correctable(bill.data);
  // Pressed from the queue before the bill was read: once its reads are here, the cursor goes to the first one.
  const firstSa = agreements[0]?.sa_id;
  const ready = opened && rebill && bill.data !== undefined;
  useEffect(() => {
    if (!ready) return;
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.closest("[role=dialog]")) return;
    const first =
      firstSa === undefined ? null : document.querySelector<HTMLInputElement>(`[data-reading-sa="${firstSa}"]`);
    (first ?? textField.current)?.focus();
  }, [ready, firstSa]);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!held || work.isPending) return;
    const note = text.trim();
    const errs: Record<number, string> = {};
    const fix: [BillAgreement, string][] = [];
    if (rebill) {
      for (const a of agreements) {
        const typed = (readings[a.sa_id] ?? "").trim().replace(/,/g, "");
        if (!typed) continue;
        if (!READING.test(typed)) errs[a.sa_id] = "A reading: digits, up to 3 decimals";
        else fix.push([a, typed]);
      }
    }
    setReadingErrors(errs);
    const firstBad = Object.keys(errs)[0];
    if (firstBad) {
      document.querySelector<HTMLInputElement>(`[data-reading-sa="${firstBad}"]`)?.focus();
      return;
    }
    if (action !== "release" && !note) {
      setTextError(action === "cancel" ? "Say why it is cancelled" : "Say why it is rebilled");
      textField.current?.focus();
      return;
    }
    setTextError(undefined);
    work.mutate({ h: held, body: { text: note, fix } });
  };

  const title = TITLES[action];
  const readError = Object.keys(readingErrors).length > 0;
  return (
    // Focus is put back by the page (on the next row, or on the line saying what was done).
    <Modal opened={opened} onClose={() => onClose()} title={title} size="lg" returnFocus={false}>
      {held && (
        <form onSubmit={submit} noValidate aria-label={title}>
          <Stack gap="sm">
            {work.isError && !textError && !readError && (
              <Alert color="red" role="alert" title={`Not done: ${title.toLowerCase()}`}>
                {refusal(work.error)}
              </Alert>
            )}
            <Text size="sm">
              <b>
                Bill {held.bill_id} of account {held.account_number} ({held.name}): {money(held.total_cents)}
              </b>
              , held for {reasonLabel(held.exception).toLowerCase()}
              {held.exception_note ? `: ${plainNote(held.exception_note)}` : ""}.
            </Text>
            <Text size="sm" c="gray.7">
              {action === "release" &&
                "Issues the bill as it is: posted to the account now, mailed and due from today."}
              {action === "cancel" &&
                "Drops the bill: nothing is posted, and its period is billed again in the next run."}
              {rebill &&
                "Type the corrected end reading (the read is replaced; the old one is kept). The bill is then cancelled and the account billed again for the same period from the reads as they are now; the new bill is issued."}
            </Text>
            {rebill && bill.isPending && <Loader size="sm" aria-label="Loading the bill's reads" />}
            {rebill && bill.isError && (
              <Alert color="red" role="alert">
                The bill's reads did not load: {bill.error.message}
              </Alert>
            )}
            {rebill &&
              agreements.map((a, i) => {
                const end = a.reads!.end!;
                const done = corrected.current.get(end.id!);
                return (
                  <TextInput
                    key={a.sa_id}
                    data-autofocus={i === 0 || undefined}
                    data-reading-sa={a.sa_id}
                    label={`Corrected end reading, meter ${a.meter_number} on ${end.read_on}`}
                    description={
                      done
                        ? `Corrected to ${quantity(done.reading)}`
                        : `On the bill: ${quantity(end.reading)} (${end.kind}). Leave it empty to keep it.`
                    }
                    inputMode="decimal"
                    autoComplete="off"
                    readOnly={done !== undefined || work.isPending}
                    value={readings[a.sa_id] ?? ""}
                    error={readingErrors[a.sa_id]}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      setReadings((r) => ({ ...r, [a.sa_id]: v }));
                    }}
                  />
                );
              })}
            <TextInput
              ref={textField}
              data-autofocus={!rebill || undefined}
              label={
                action === "release"
                  ? "Note (optional)"
                  : action === "cancel"
                    ? "Why it is cancelled"
                    : "Why it is rebilled"
              }
              description={action === "release" ? "Kept with the bill's history" : "Kept with the bill and its history"}
              required={action !== "release"}
              autoComplete="off"
              maxLength={500}
              readOnly={work.isPending}
              value={text}
              error={textError}
              onChange={(e) => setText(e.currentTarget.value)}
            />
            <Group justify="space-between" mt="sm">
              <Text size="sm" c="gray.7">
                Enter confirms; Escape goes back
              </Text>
              <Group>
                <Button variant="default" onClick={() => onClose()}>
                  Back
                </Button>
                <Button
                  type="submit"
                  color={action === "cancel" ? "red.9" : undefined}
                  loading={work.isPending}
                  disabled={rebill && bill.isPending}
                >
                  {action === "release"
                    ? `Release ${money(held.total_cents)}`
                    : action === "cancel"
                      ? "Cancel the bill"
                      : "Rebill"}
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
