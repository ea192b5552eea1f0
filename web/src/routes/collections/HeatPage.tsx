import {
  Alert,
  Badge,
  Button,
  Container,
  Group,
  Kbd,
  List,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { fetchHeatForecasts, HEAT_KEY, putHeatForecasts } from "../../api/collections.js";
import { NoAccess } from "../../components/Messages.js";
import { PageTitle } from "../../components/PageTitle.js";
import { useCan } from "../../user.js";
import { stamp } from "../billing/words.js";
import classes from "./Collections.module.css";

type Field = "territory" | "forecast_on" | "high_f";
type Errors = Partial<Record<Field, string>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function fieldErrors(err: unknown): Errors {
  if (!(err instanceof ApiError)) return {};
  const errors: Errors = {};
  // The API names the field inside the list it was sent: "forecasts.0.high_f".
  for (const e of err.problem.errors ?? []) errors[e.field.replace(/^forecasts\.\d+\./, "") as Field] = e.message;
  return errors;
}

/** Keys one forecast high: the territory, the day and the high; Enter or Ctrl+Enter saves it. */
function ForecastForm({ onSaved }: { onSaved: (text: string) => void }) {
  const [territory, setTerritory] = useState("");
  const [day, setDay] = useState("");
  const [high, setHigh] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    territory: useRef<HTMLInputElement>(null),
    forecast_on: useRef<HTMLInputElement>(null),
    high_f: useRef<HTMLInputElement>(null),
  };
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (f: { territory: string; forecast_on: string; high_f: number }) => putHeatForecasts([f]),
    onSuccess: async ({ forecasts: [f] }) => {
      await client.invalidateQueries({ queryKey: HEAT_KEY });
      onSaved(`${f!.high_f} F keyed for territory ${f!.territory} on ${f!.forecast_on}.`);
      setDay("");
      setHigh("");
      refs.forecast_on.current?.focus();
    },
    onError: (err) => {
      const found = fieldErrors(err);
      setErrors(found);
      const first = (Object.keys(found) as Field[])[0];
      if (first) refs[first].current?.focus();
    },
  });
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (save.isPending) return;
    const missing: Errors = {};
    if (!territory.trim()) missing.territory = "The baseline territory, such as S";
    if (!DATE.test(day)) missing.forecast_on = "A date YYYY-MM-DD";
    if (!/^-?\d{1,3}$/.test(high.trim())) missing.high_f = "Whole degrees Fahrenheit, such as 104";
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      refs[(Object.keys(missing) as Field[])[0]!].current?.focus();
      return;
    }
    save.mutate({ territory: territory.trim().toUpperCase(), forecast_on: day, high_f: Number(high.trim()) });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };
  const clear = (f: Field) => setErrors((x) => ({ ...x, [f]: undefined }));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="heat-form-title">
      <Text id="heat-form-title" fw={700} mb="xs" component="h2" size="md">
        Key a forecast
      </Text>
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="Key a forecast">
        <Stack gap="sm">
          {save.isError && Object.keys(fieldErrors(save.error)).length === 0 && (
            <Alert color="red" role="alert" title="Not saved">
              {save.error.message}
            </Alert>
          )}
          <Group align="flex-start" gap="md">
            <TextInput
              ref={refs.territory}
              data-page-focus
              label="Territory"
              description="Baseline territory, such as S"
              autoComplete="off"
              maxLength={10}
              w={160}
              value={territory}
              error={errors.territory}
              onChange={(e) => {
                setTerritory(e.currentTarget.value);
                clear("territory");
              }}
            />
            <TextInput
              ref={refs.forecast_on}
              label="Date"
              description="YYYY-MM-DD"
              autoComplete="off"
              w={160}
              value={day}
              error={errors.forecast_on}
              onChange={(e) => {
                setDay(e.currentTarget.value);
                clear("forecast_on");
              }}
            />
            <TextInput
              ref={refs.high_f}
              label="Forecast high (F)"
              description="Whole degrees"
              inputMode="numeric"
              autoComplete="off"
              w={160}
              value={high}
              error={errors.high_f}
              onChange={(e) => {
                setHigh(e.currentTarget.value);
                clear("high_f");
              }}
            />
          </Group>
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save forecast
            </Button>
            <Text size="sm" c="dimmed">
              <Kbd>Enter</Kbd> saves it; a day keyed again replaces the earlier figure
            </Text>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function Heat() {
  const canKey = useCan("collections.protect");
  const onFile = useQuery({ queryKey: HEAT_KEY, queryFn: ({ signal }) => fetchHeatForecasts(signal) });
  const [saved, setSaved] = useState<string | null>(null);
  const h = onFile.data;
  return (
    <Container size="lg" px={0}>
      <Stack gap="md">
        <PageTitle>Heat forecasts</PageTitle>
        <List size="sm" spacing={2} c="gray.7">
          <List.Item>
            {h
              ? `A forecast high of ${h.threshold_f} F or more in a premise's territory within ${h.window_hours} hours ${
                  h.holds_disconnection
                    ? "holds the final notice and disconnection there."
                    : "would hold disconnection, but your policy profile does not protect for heat."
                }`
              : "Forecast highs at or above the policy's threshold hold disconnection where the profile says."}
          </List.Item>
          {canKey && <List.Item>Key the territory, the day and the high; Enter saves it.</List.Item>}
        </List>
        {canKey && <ForecastForm onSaved={setSaved} />}
        <Text role="status" fw={600} size="sm" data-testid="heat-notice">
          {saved}
        </Text>
        {onFile.isPending && <Loader size="sm" aria-label="Loading the forecasts" />}
        {onFile.isError && (
          <Alert color="red" role="alert" title="The forecasts did not load">
            {onFile.error.message}
          </Alert>
        )}
        {h && h.forecasts.length === 0 && <Text>No forecast is on file from today ({h.as_of}) on.</Text>}
        {h && h.forecasts.length > 0 && (
          <Table captionSide="top" withTableBorder verticalSpacing="xs" aria-label="Forecasts on file">
            <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
              On file from today ({h.as_of}) on
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Date</Table.Th>
                <Table.Th scope="col">Territory</Table.Th>
                <Table.Th scope="col" className={classes.num}>
                  High
                </Table.Th>
                <Table.Th scope="col">Keyed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {h.forecasts.map((f) => (
                <Table.Tr key={`${f.territory}-${f.forecast_on}`} data-testid="heat-forecast">
                  <Table.Td className={classes.nowrap}>{f.forecast_on}</Table.Td>
                  <Table.Td>{f.territory}</Table.Td>
                  <Table.Td className={classes.num}>
                    {f.high_f >= h.threshold_f && (
                      <Badge mr="xs" size="sm" color="red" variant="light">
                        At or above {h.threshold_f} F
                      </Badge>
                    )}
                    {f.high_f} F
                  </Table.Td>
                  <Table.Td>
                    {stamp(f.entered_at)} by {f.entered_by}
                    {f.source !== "manual" ? ` (${f.source})` : ""}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Container>
  );
}

/** Heat forecasts: supervisors key forecast highs by territory; everyone in collections sees what is on file. */
export function HeatPage() {
  return useCan("collections.read") ? <Heat /> : <NoAccess what="Heat forecasts" />;
}
