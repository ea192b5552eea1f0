import { Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import type { Contact, Party } from "../../api/accounts.js";
import { addressLine, phoneText, when, words } from "./format.js";

/** The id of a section's heading, from its title ("Credit and deposits" -> "section-credit-and-deposits"). */
export const sectionTitleId = (title: string) => `section-${title.toLowerCase().replace(/\W+/g, "-")}`;

/**
 * Brings a section into view with focus on its heading (or on `target` inside it when given and there). The header is
 * fixed: without the margin the heading would sit under it.
 */
export function jumpToSection(titleId: string, target?: string) {
  const title = document.getElementById(titleId);
  const section = title?.closest("section");
  if (!title || !section) return;
  const into = (target ? section.querySelector<HTMLElement>(target) : null) ?? title;
  if (into === title) title.setAttribute("tabindex", "-1");
  section.style.scrollMarginTop = "calc(var(--app-shell-header-height, 60px) + 8px)";
  section.scrollIntoView({ block: "start" });
  into.focus({ preventScroll: true });
}

/** One titled part of the account screen. */
export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = sectionTitleId(title);
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
