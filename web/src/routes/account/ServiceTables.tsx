import { Badge, Group, Table, Text } from "@mantine/core";
import type { Enrolment, ServiceAgreement } from "../../api/accounts.js";
import { words } from "./format.js";

// In force first, then what is coming, then what has ended; the server's order (latest start first) within each.
const AGREEMENT_ORDER: Record<string, number> = { active: 0, pending: 1, stopped: 2 };
const AGREEMENT_COLOR: Record<string, string> = { active: "green", pending: "yellow", stopped: "gray" };

/** Keeps the server's order within each group. */
const byGroup = <T,>(items: T[], group: (item: T) => number) =>
  items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => group(a.item) - group(b.item) || a.i - b.i)
    .map((x) => x.item);

/** An empty cell that still says something when read aloud. */
function NoneCell({ text = "none" }: { text?: string }) {
  return (
    <Text span size="sm" c="dimmed">
      {text}
    </Text>
  );
}

/** The premise as an address, with what sets its rates (baseline territory, climate zone, tax jurisdiction). */
function PremiseCell({ a }: { a: ServiceAgreement }) {
  const p = a.premise;
  const sp = a.service_point;
  return (
    <>
      <Text size="sm">
        {[p.address_line1, p.address_line2, p.city, `${p.state} ${p.zip}`].filter(Boolean).join(", ")}
      </Text>
      <Text size="xs" c="dimmed">
        Territory {p.baseline_territory}
        {p.climate_zone !== null ? ` · climate zone ${p.climate_zone}` : ""} · {p.tax_jurisdiction}
      </Text>
      <Text size="xs" c="dimmed">
        Service point {sp.id}: {sp.description ?? words(sp.kind)}
        {sp.description ? ` (${sp.kind})` : ""}
      </Text>
    </>
  );
}

/** The meter installed at the service point now, with its registers. */
function MeterCell({ meter }: { meter: ServiceAgreement["meter"] }) {
  if (!meter) return <NoneCell text="no meter" />;
  const registers = meter.registers
    .map((r) => `${r.unit}${r.tou_period ? ` ${words(r.tou_period).toLowerCase()}` : ""}, ${r.dials} dials`)
    .join("; ");
  return (
    <>
      <Text size="sm" ff="monospace">
        {meter.meter_number}
      </Text>
      <Text size="xs" c="dimmed">
        {words(meter.kind)}
        {meter.interval_minutes ? ` ${meter.interval_minutes}-minute` : ""}
        {meter.multiplier !== "1" ? ` · multiplier ${meter.multiplier}` : ""}
        {registers ? ` · ${registers}` : ""} · since {meter.installed_on}
      </Text>
    </>
  );
}

/**
 * The service agreements as one compact table, those in force first: tariff, status and dates, where (premise and
 * service point) and the meter there, one row each so several agreements compare at a glance.
 */
export function ServiceList({ agreements }: { agreements: ServiceAgreement[] }) {
  if (agreements.length === 0) return <Text size="sm">No service agreements.</Text>;
  const rows = byGroup(agreements, (a) => AGREEMENT_ORDER[a.status] ?? 1);
  return (
    <Table aria-label="Service agreements" verticalSpacing={6} highlightOnHover={false} layout="auto">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Tariff</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col">Start</Table.Th>
          <Table.Th scope="col">End</Table.Th>
          <Table.Th scope="col">Premise and service point</Table.Th>
          <Table.Th scope="col">Meter</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((a) => (
          <Table.Tr key={a.id} data-testid="service-agreement">
            <Table.Th scope="row" ff="monospace" fw={600} style={{ whiteSpace: "nowrap" }}>
              {a.tariff_code}
            </Table.Th>
            <Table.Td>
              <Badge color={AGREEMENT_COLOR[a.status] ?? "gray"} variant="light">
                {words(a.status)}
              </Badge>
            </Table.Td>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{a.start_date}</Table.Td>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{a.end_date ?? <NoneCell />}</Table.Td>
            <Table.Td>
              <PremiseCell a={a} />
            </Table.Td>
            <Table.Td>
              <MeterCell meter={a.meter} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Program names as customers know them. */
const PROGRAM_NAMES: Record<string, string> = {
  care: "CARE",
  fera: "FERA",
  medical_baseline: "Medical baseline",
};

type EnrolmentState = "in_force" | "not_yet" | "ended";
const ENROLMENT_LABEL: Record<EnrolmentState, [string, string]> = {
  in_force: ["In force", "green"],
  not_yet: ["Not yet in force", "yellow"],
  ended: ["Ended", "gray"],
};

/** Whether an enrolment is in force on the business date the account was read (`asOf`). */
function stateOf(e: Enrolment, asOf: string | undefined): EnrolmentState {
  if (e.active) return "in_force";
  // Without the business date, an enrolment out of force that has an end date has most likely ended.
  if (asOf ? e.effective_from > asOf : e.effective_to === null) return "not_yet";
  return "ended";
}

const ENROLMENT_ORDER: Record<EnrolmentState, number> = { in_force: 0, not_yet: 1, ended: 2 };

/** Program enrolments (CARE, FERA, medical baseline) in force first: status, enrolled and end dates, recertification. */
export function EnrolmentList({ enrolments, asOf }: { enrolments: Enrolment[]; asOf?: string }) {
  if (enrolments.length === 0) return <Text size="sm">No enrolments.</Text>;
  const rows = byGroup(
    enrolments.map((e) => ({ e, state: stateOf(e, asOf) })),
    (r) => ENROLMENT_ORDER[r.state],
  );
  return (
    <Table aria-label="Enrolments" verticalSpacing={6} layout="auto">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Program</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col">Enrolled</Table.Th>
          <Table.Th scope="col">Ends</Table.Th>
          <Table.Th scope="col">Recertify by</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map(({ e, state }) => {
          const [label, color] = ENROLMENT_LABEL[state];
          return (
            <Table.Tr key={e.id} data-testid="enrolment">
              <Table.Th scope="row" fw={600}>
                {PROGRAM_NAMES[e.program] ?? words(e.program)}
              </Table.Th>
              <Table.Td>
                <Group gap={4}>
                  <Badge color={color} variant="light">
                    {label}
                  </Badge>
                  {e.recertification_due && state !== "ended" && (
                    <Badge color="orange" variant="light">
                      Recertification due
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{e.effective_from}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{e.effective_to ?? <NoneCell />}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                {e.permanent ? "Permanent" : (e.recertify_by ?? <NoneCell />)}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
