import { Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import type { AccountView, Contact, Enrolment, Party } from "../../api/accounts.js";
import { FieldList } from "./FieldList.js";
import { addressLine, phoneText, when, words } from "./format.js";

/** One titled part of the account screen. */
export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </Paper>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <Text component="dd" size="sm" m={0}>
        {children}
      </Text>
    </div>
  );
}

/** The protection and handling flags in force, and 65+ (from the birth date), as badges. */
export function FlagBadges({ party }: { party: Party }) {
  const flags = party.flags.filter((f) => f.active);
  return (
    <>
      {flags.map((f) => (
        <Badge
          key={f.id}
          color={f.flag === "life_support" || f.flag === "medical_baseline" ? "red" : "blue"}
          variant="light"
        >
          {words(f.flag)}
          {f.recertification_due ? " (recertify)" : ""}
        </Badge>
      ))}
      {party.age_65_plus && (
        <Badge color="grape" variant="light">
          Age 65 plus
        </Badge>
      )}
    </>
  );
}

/** The main customer: how to reach them, language, identity (masked) and any third party to notify. */
export function CustomerDetails({ party }: { party: Party }) {
  return (
    <SimpleGrid component="dl" cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" m={0}>
      <Row label="Phones">
        {party.phones.length === 0
          ? "—"
          : party.phones.map((p) => `${phoneText(p.number)} (${p.label}${p.primary ? ", primary" : ""})`).join("; ")}
      </Row>
      <Row label="Email">{party.email ?? "—"}</Row>
      <Row label="Mailing address">{addressLine(party.mailing_address)}</Row>
      <Row label="Language">{party.language}</Row>
      <Row label="Identity">
        {party.identity_masked ? `${(party.identity_type ?? "").toUpperCase()} ${party.identity_masked}` : "—"}
      </Row>
      <Row label="Third party">
        {party.third_party
          ? [
              party.third_party.name,
              party.third_party.phone && phoneText(party.third_party.phone),
              party.third_party.email,
            ]
              .filter(Boolean)
              .join(", ")
          : "—"}
      </Row>
    </SimpleGrid>
  );
}

/** An object without its internal ids (premise_id, service_point_id...), at every depth: they mean nothing to a CSR. */
function withoutIds(v: Record<string, unknown>): Record<string, unknown> {
  const strip = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(strip)
      : typeof x === "object" && x !== null
        ? withoutIds(x as Record<string, unknown>)
        : x;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !k.endsWith("_id"))
      .map(([k, x]) => [k, strip(x)]),
  );
}

/** Each service agreement with its premise, service point, meter, tariff and dates. */
export function ServiceList({ agreements }: { agreements: NonNullable<AccountView["service_agreements"]> }) {
  if (agreements.length === 0) return <Text size="sm">No service agreements.</Text>;
  return (
    <Stack gap="sm">
      {agreements.map((a, i) => (
        <FieldList key={String(a.id ?? i)} data={withoutIds(a)} level={3} boxed />
      ))}
    </Stack>
  );
}

/** Programme enrolments, with whether each is in force. */
export function EnrolmentList({ enrolments }: { enrolments: Enrolment[] }) {
  if (enrolments.length === 0) return <Text size="sm">No enrolments.</Text>;
  return (
    <Stack gap={4} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
      {enrolments.map((e) => (
        <Text component="li" key={e.id} size="sm">
          {words(e.program)}: from {e.effective_from}
          {e.effective_to ? ` to ${e.effective_to}` : ""}
          {e.active ? "" : " (not in force)"}
          {e.recertification_due ? " (recertification due)" : ""}
        </Text>
      ))}
    </Stack>
  );
}

/** The latest contacts; notes are shown as text exactly as typed. */
export function ContactList({ contacts }: { contacts: Contact[] }) {
  if (contacts.length === 0) return <Text size="sm">No contacts yet.</Text>;
  return (
    <Stack gap="xs" component="ol" aria-label="Recent contacts" style={{ listStyle: "none", padding: 0, margin: 0 }}>
      {contacts.map((c) => (
        <li key={c.id}>
          <Text size="sm" fw={600}>
            {when(c.occurred_at)} · {words(c.channel)} · {words(c.reason_code)} · {words(c.outcome)} · {c.username}
          </Text>
          {c.notes && (
            <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} data-testid="contact-notes">
              {c.notes}
            </Text>
          )}
        </li>
      ))}
    </Stack>
  );
}
