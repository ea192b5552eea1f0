import { Alert, Button, Container, Fieldset, Group, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, type KeyboardEvent, useState } from "react";
import { ApiError } from "../../api/client.js";
import { createCustomer, type NewCustomerResponse } from "../../api/customers.js";
import { PageTitle } from "../../components/PageTitle.js";
import { DuplicateWarning } from "./DuplicateWarning.js";
import {
  type Field,
  fieldOf,
  initialValues,
  inputId,
  SECTIONS,
  toRequest,
  type Values,
  visibleFields,
} from "./form.js";

/** Errors from a refused request: by form field, and those that belong to no field (shown above the form). */
function errorsOf(error: unknown, values: Values): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  if (!error) return { byField, general };
  if (!(error instanceof ApiError)) return { byField, general: [(error as Error).message] };
  const shown = visibleFields(values);
  for (const e of error.problem.errors ?? []) {
    const key = fieldOf(e.field, shown);
    if (key) byField[key] ??= e.message;
    else general.push(`${e.field}: ${e.message}`);
  }
  if (Object.keys(byField).length === 0 && general.length === 0) general.push(error.message);
  return { byField, general };
}

/**
 * A new customer in one keyboard flow: customer, account, premise, service point, meter and agreement on one page.
 * Tab walks the sections in order; Enter in a text box or Ctrl+Enter anywhere opens the account.
 */
export function NewCustomerPage() {
  const navigate = useNavigate();
  const [values, setValues] = useState<Values>(initialValues);
  const [duplicates, setDuplicates] = useState<NewCustomerResponse | null>(null);
  const create = useMutation({ mutationFn: createCustomer });
  const { byField, general } = errorsOf(create.error, values);
  const shown = visibleFields(values);

  const open = (accountId: number) =>
    void navigate({ to: "/accounts/$accountId", params: { accountId: String(accountId) } });

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (create.isPending) return;
    create.mutate(toRequest(values), {
      // After a refusal focus goes to the first field named (in form order), once the errors are on screen, so
      // the CSR fixes it and presses Enter again.
      onError: (error) => {
        const named = errorsOf(error, values).byField;
        const first = visibleFields(values).find((f) => named[f.key]);
        requestAnimationFrame(() =>
          document.getElementById(first ? inputId(first.key) : "new-customer-errors")?.focus(),
        );
      },
      onSuccess: (made) => {
        if (made.possible_duplicate_ids.length > 0) setDuplicates(made);
        else open(made.account.id);
      },
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) submit(event);
  };
  const set = (key: string, value: string) => setValues((v) => ({ ...v, [key]: value }));

  if (duplicates) return <DuplicateWarning made={duplicates} onContinue={() => open(duplicates.account.id)} />;

  const input = (field: Field, first: boolean) => {
    const common = {
      id: inputId(field.key),
      label: field.label,
      description: field.description,
      error: byField[field.key],
      "data-page-focus": first ? "" : undefined,
    };
    if (field.options) {
      return (
        <NativeSelect
          key={field.key}
          {...common}
          data={field.options.map((o) => ({ value: o.value, label: o.label }))}
          value={values[field.key] ?? ""}
          onChange={(e) => set(field.key, e.currentTarget.value)}
        />
      );
    }
    return (
      <TextInput
        key={field.key}
        {...common}
        required={field.required}
        placeholder={field.placeholder}
        autoComplete={field.autoComplete ?? "off"}
        value={values[field.key] ?? ""}
        onChange={(e) => set(field.key, e.currentTarget.value)}
      />
    );
  };

  return (
    <Container size="md" px={0}>
      <Stack gap="md">
        <PageTitle>New customer</PageTitle>
        <Text size="sm" c="dimmed">
          Tab moves through the sections in order. Enter or Ctrl+Enter opens the account.
        </Text>
        {general.length > 0 && (
          <Alert id="new-customer-errors" tabIndex={-1} color="red" title="The customer was not opened">
            {general.map((g) => (
              <Text key={g} size="sm">
                {g}
              </Text>
            ))}
          </Alert>
        )}
        <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label="New customer">
          <Stack gap="lg">
            {SECTIONS.map((section) => {
              const fields = section.fields.filter((f) => shown.includes(f));
              return (
                <Fieldset key={section.title} legend={section.title}>
                  <Stack gap="xs">{fields.map((f) => input(f, f === shown[0]))}</Stack>
                </Fieldset>
              );
            })}
            <Group>
              <Button type="submit" loading={create.isPending}>
                Open the account
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Container>
  );
}
