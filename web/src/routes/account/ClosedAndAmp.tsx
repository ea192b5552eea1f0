import { Anchor, Badge, Button, Group, Stack, Text } from "@mantine/core";
import {
  type AmpPlan,
  type AmpStanding,
  agencyFileUrl,
  CLOSED_STEP_WORDS,
  type ClosedStanding,
} from "../../api/collections.js";
import { RuleLine } from "./dialog.js";
import { money } from "./money.js";

/**
 * A closed account's balance in closed-account collection: the step and since when, what is owed from the final bill,
 * what was written off and when, the agency placement (its file downloads as it was sent) and what has come back.
 */
export function ClosedPanel({ closed }: { closed: ClosedStanding }) {
  const owed = BigInt(closed.balance_cents);
  const off = BigInt(closed.written_off_cents);
  const recovered = BigInt(closed.recovered_cents);
  const p = closed.placement;
  const gone = closed.step === "written_off" || closed.step === "referred";
  return (
    <Stack gap={4} data-testid="collections-closed">
      <Group gap="xs">
        <Badge variant="light" color={gone ? "gray" : "orange"}>
          {CLOSED_STEP_WORDS[closed.step]}
        </Badge>
        <Text size="sm">
          since {closed.step_on}; the final bill was due {closed.final_due}
          {owed > 0n ? `; ${money(owed)} owed` : ""}.
        </Text>
      </Group>
      {off > 0n && (
        <Text size="sm">
          {money(off)} written off to bad debt on {closed.written_off_on}
          {recovered > 0n ? `; ${money(recovered)} recovered since, ${money(off - recovered)} still written off` : ""}.
        </Text>
      )}
      {p && (
        <Text size="sm">
          Referred to {p.agency} on {p.placed_on} ({money(p.amount_cents)}), in{" "}
          <Anchor
            size="sm"
            href={agencyFileUrl(p.file_id)}
            download
            aria-label={`Download placement file ${p.file_id}, sent to ${p.agency} on ${p.placed_on}`}
          >
            placement file {p.file_id}
          </Anchor>
          . A payment now is a recovery: it comes back from bad debt.
        </Text>
      )}
    </Stack>
  );
}

const PLAN_COLOR: Record<AmpPlan["status"], string> = { active: "blue", completed: "green", removed: "gray" };

/**
 * Arrearage management: the plan in force (what is forgiven so far, the bills paid on time and missed) and earlier
 * plans, or policy's decision on enrolling today with its rule. `onEnrol` shows the enrol button when the account
 * may enrol; `onLeave` the end button on an active plan.
 */
export function AmpPanel({ amp, onEnrol, onLeave }: { amp: AmpStanding; onEnrol?: () => void; onLeave?: () => void }) {
  const d = amp.decision;
  return (
    <Stack gap={6} data-testid="collections-amp">
      {amp.plans.map((p) => (
        <div key={p.id} data-testid={`amp-plan-${p.id}`}>
          <Group gap="xs">
            <Badge variant="light" color={PLAN_COLOR[p.status]}>
              AMP plan {p.id}: {p.status}
            </Badge>
            <Text size="sm">
              {money(p.forgiven_cents)} forgiven of {money(p.enrolled_cents)}, enrolled {p.enrolled_on} by{" "}
              {p.enrolled_by}
            </Text>
            {p.status === "active" && onLeave && (
              <Button size="compact-xs" variant="subtle" color="red" onClick={onLeave}>
                End plan {p.id}
              </Button>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            {p.status === "active"
              ? `${money(p.installment_cents)} forgiven for each bill paid on time; ${p.on_time} of 12 paid on time, ` +
                `${p.misses} missed in a row (two end the plan)` +
                (p.checked_through ? `; checked through ${p.checked_through}` : "")
              : `Ended ${p.closed_on}: ${p.closed_reason}`}
          </Text>
        </div>
      ))}
      {d.rule_id !== "collections.amp.enrolled" && (
        <Group gap="xs" align="flex-start" wrap="nowrap" data-testid="amp-decision">
          <div>
            <Text size="sm">{d.explanation}</Text>
            <RuleLine rule={d.rule_id} />
          </div>
          {d.eligible && onEnrol && (
            <Button size="xs" variant="light" onClick={onEnrol} style={{ flexShrink: 0 }}>
              Enrol in AMP
            </Button>
          )}
        </Group>
      )}
    </Stack>
  );
}
