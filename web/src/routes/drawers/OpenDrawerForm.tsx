import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { type Drawer, drawerKeys, openDrawer } from "../../api/drawers.js";
import { useMoneyAttempt } from "../account/attempt.js";
import { parseDollars } from "../account/money.js";

type Body = { location: string; float_cents: number };
type Errors = Partial<Record<"location" | "float", string>>;

/** Where the drawer is kept between days: the last location typed on this workstation. */
const LAST_LOCATION = "kilowatt.drawer.location";

/**
 * Opens the cashier's drawer: where it is and the float counted into it. The float is dollars and cents (never
 * more than two decimals); it comes from the change fund and goes back at close.
 */
export function OpenDrawerForm({ onOpened, autoFocus }: { onOpened: (d: Drawer) => void; autoFocus: boolean }) {
  const [location, setLocation] = useState(() => localStorage.getItem(LAST_LOCATION) ?? "");
  const [float, setFloat] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const locationField = useRef<HTMLInputElement>(null);
  // Arriving on the page (focus on its heading), a cashier with no drawer open starts typing where it is.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only on arrival
  useEffect(() => {
    const active = document.activeElement;
    if (autoFocus && (active === document.body || active?.matches("h1"))) locationField.current?.focus();
  }, []);
  const attempt = useMoneyAttempt<Body>();
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ key, body }: { key: string; body: Body }) => openDrawer(body, key),
    onSuccess: (d) => {
      attempt.settle();
      localStorage.setItem(LAST_LOCATION, d.location);
      client.setQueryData(drawerKeys.current, d);
      void client.invalidateQueries({ queryKey: drawerKeys.all });
      onOpened(d);
    },
    onError: (err) => {
      attempt.settle(err);
      if (!(err instanceof ApiError)) return;
      const next: Errors = {};
      for (const e of err.problem.errors ?? []) {
        if (e.field === "location") next.location = e.message;
        if (e.field === "float_cents") next.float = e.message;
      }
      setErrors(next);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (save.isPending) return;
    const next: Errors = {};
    if (!location.trim()) next.location = "Say where the drawer is (a counter, a window)";
    const cents = parseDollars(float);
    if (cents === null) next.float = "Dollars and cents, at most two decimals, like 100.00";
    setErrors(next);
    if (Object.keys(next).length > 0 || cents === null) return;
    save.mutate(attempt.next({ location: location.trim(), float_cents: Number(cents) }));
  };
  // A refusal that names no field of this form (a drawer already open) is said above the fields.
  const refused = save.isError && Object.keys(errors).length === 0;
  const locked = attempt.uncertain || save.isPending;

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="open-drawer">
      <form onSubmit={submit} noValidate aria-label="Open a cash drawer">
        <Stack gap="sm">
          <Title order={2} size="h4" id="open-drawer">
            Open your drawer
          </Title>
          <Text size="sm">
            Count the float into the drawer: it comes from the change fund and goes back when you close the drawer.
          </Text>
          {(refused || attempt.uncertain) && (
            <Alert color={attempt.uncertain ? "yellow" : "red"} role="alert" title="The drawer did not open">
              {save.error?.message}
              {attempt.uncertain ? ". Press Enter to send the same request again: it never opens twice." : ""}
            </Alert>
          )}
          <Group grow align="flex-start">
            <TextInput
              ref={locationField}
              label="Location"
              description="The counter or window"
              required
              autoComplete="off"
              maxLength={100}
              readOnly={locked}
              value={location}
              error={errors.location}
              onFocus={(e) => e.currentTarget.select()}
              onChange={(e) => setLocation(e.currentTarget.value)}
            />
            <TextInput
              label="Float"
              description="The cash counted in to make change"
              leftSection="$"
              inputMode="decimal"
              required
              autoComplete="off"
              readOnly={locked}
              value={float}
              error={errors.float}
              onChange={(e) => setFloat(e.currentTarget.value)}
            />
          </Group>
          <Group>
            <Button type="submit" loading={save.isPending}>
              Open drawer
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
