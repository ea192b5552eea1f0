import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import type { ServiceAgreement } from "../../api/accounts.js";
import { fieldErrorsOf } from "../../api/client.js";
import { type StopServiceRequest, stopService } from "../../api/service.js";
import { useMoneyAttempt } from "./attempt.js";
import { ctrlEnter, Refusal } from "./dialog.js";
import { refreshMoney } from "./refresh.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const READING = /^\d{1,12}(\.\d{1,3})?$/;

/**
 * Stop service (the customer moves out): the stop date (today unless changed) and, for each meter, the final reading
 * if the customer has one (left blank, it is estimated from the meter's history). Ctrl+Enter stops the service,
 * makes the final bill at once and closes the account; a later date schedules the stop instead. What the server
 * refuses is said at its field.
 */
export function StopServiceModal({
  accountId,
  agreements,
  today,
  opened,
  onClose,
}: {
  accountId: number;
  agreements: ServiceAgreement[];
  today: string;
  opened: boolean;
  onClose: (done?: string) => void;
}) {
  const meters = agreements.flatMap((a) => (a.meter ? [a.meter.meter_number] : []));
  const [stopOn, setStopOn] = useState(today);
  const [readings, setReadings] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const stopRef = useRef<HTMLInputElement>(null);
  const readingRefs = useRef(new Map<string, HTMLInputElement>());
  const attempt = useMoneyAttempt<StopServiceRequest>();
  const client = useQueryClient();

  // The server names a reading by its place in the request; the form shows it under its meter.
  const focusField = (field: string) => {
    if (field === "stop_on") return stopRef.current?.focus();
    const meter = field.startsWith("meter:") ? field.slice(6) : undefined;
    if (meter) readingRefs.current.get(meter)?.focus();
  };
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: StopServiceRequest }) => stopService(accountId, body, key),
    onSuccess: async (result) => {
      attempt.settle();
      await refreshMoney(client, [accountId]);
      onClose(result.explanation);
    },
    onError: (err, { body }) => {
      attempt.settle(err);
      const found: Record<string, string> = {};
      for (const [field, message] of Object.entries(fieldErrorsOf<string>(err))) {
        const m = /^reads\.(\d+)\./.exec(field);
        const meter = m ? body.reads?.[Number(m[1])]?.meter_number : undefined;
        if (message) found[meter ? `meter:${meter}` : field] = message;
      }
      setErrors(found);
      const first = Object.keys(found).find((f) => f === "stop_on" || f.startsWith("meter:"));
      if (first) focusField(first);
    },
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: only an opening resets the form
  useEffect(() => {
    if (!opened) return;
    setStopOn(today);
    setReadings({});
    setErrors({});
    attempt.reset();
    save.reset();
  }, [opened]);

  // A stop ahead of today is scheduled: no reading is taken ahead of the day.
  const ahead = DATE.test(stopOn) && stopOn > today;
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const missing: Record<string, string> = {};
    if (!DATE.test(stopOn)) missing.stop_on = "A date YYYY-MM-DD";
    for (const m of meters) {
      const r = (readings[m] ?? "").trim();
      if (r && !READING.test(r)) missing[`meter:${m}`] = "The dials as read, such as 10900 (blank: estimated)";
    }
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      focusField(Object.keys(missing)[0]!);
      return;
    }
    const reads = meters
      .filter((m) => !ahead && (readings[m] ?? "").trim() !== "")
      .map((m) => ({ meter_number: m, reading: readings[m]!.trim() }));
    save.mutate(attempt.next({ stop_on: stopOn, ...(reads.length > 0 ? { reads } : {}) }));
  };
  const fieldErrors = Object.keys(errors).some((f) => f === "stop_on" || f.startsWith("meter:"));
  const refused = save.isError && !attempt.uncertain && !fieldErrors;
  const address = agreements[0]?.premise.address_line1;

  return (
    <Modal opened={opened} onClose={() => onClose()} title="Stop service" size="lg" returnFocus={false}>
      <form onSubmit={submit} onKeyDown={ctrlEnter(submit)} noValidate aria-label="Stop service">
        <Stack gap="sm">
          {attempt.uncertain && (
            <Alert color="yellow" role="alert" title="Not sure the service was stopped">
              {save.error?.message}. Ctrl+Enter sends it again: it is stopped and billed once, never twice.
            </Alert>
          )}
          {refused && save.error && <Refusal error={save.error} />}
          <Text size="sm" data-testid="stop-service-effect">
            {ahead
              ? `The service${address ? ` at ${address}` : ""} stays on until ${stopOn}. The morning after, the final ` +
                "bill is made through that day (from the read on file for it, else an estimate) and the account closes."
              : `The service${address ? ` at ${address}` : ""} ends on the stop date. The final bill is made at once, ` +
                "through that day, and the account closes; a deposit is applied to the final bill the next morning."}
          </Text>
          <TextInput
            ref={stopRef}
            data-autofocus
            label="Stop date"
            description="YYYY-MM-DD: the last day of service; a later day schedules the stop"
            autoComplete="off"
            value={stopOn}
            error={errors.stop_on}
            disabled={attempt.uncertain}
            onChange={(e) => {
              setStopOn(e.currentTarget.value);
              setErrors((x) => ({ ...x, stop_on: undefined }));
            }}
          />
          {!ahead &&
            meters.map((m) => (
              <TextInput
                key={m}
                ref={(el) => {
                  if (el) readingRefs.current.set(m, el);
                  else readingRefs.current.delete(m);
                }}
                label={`Final reading, meter ${m}`}
                description="What the customer reads on the dials; blank: estimated from the meter's history"
                inputMode="decimal"
                autoComplete="off"
                value={readings[m] ?? ""}
                error={errors[`meter:${m}`]}
                disabled={attempt.uncertain}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setReadings((x) => ({ ...x, [m]: value }));
                  setErrors((x) => ({ ...x, [`meter:${m}`]: undefined }));
                }}
              />
            ))}
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed">
              {ahead ? "Ctrl+Enter schedules the stop" : "Ctrl+Enter stops the service"}
            </Text>
            <Group>
              <Button variant="default" onClick={() => onClose()}>
                Cancel
              </Button>
              <Button type="submit" color="red.9" loading={save.isPending}>
                {attempt.uncertain ? "Send again" : ahead ? `Stop service on ${stopOn}` : "Stop service and bill"}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
