import { Badge, Group, Text } from "@mantine/core";
import type { TariffSummary } from "./api.js";

/** What a tariff prices by: a baseline allowance, time of use, demand. */
export function FeatureBadges({ features }: { features: TariffSummary["features"] }) {
  const shown = [
    features.baseline && { key: "baseline", label: "Baseline", color: "teal" },
    features.time_of_use && { key: "tou", label: "Time of use", color: "violet" },
    features.demand && { key: "demand", label: "Demand", color: "orange" },
  ].filter((b): b is { key: string; label: string; color: string } => Boolean(b));
  if (shown.length === 0) {
    return (
      <Text span size="sm" c="gray.7">
        Energy only
      </Text>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      {shown.map((b) => (
        <Badge key={b.key} color={b.color} variant="light" size="sm">
          {b.label}
        </Badge>
      ))}
    </Group>
  );
}

/** Where a tariff came from: written in the Kilowatt format, or converted from a URDB record. */
export function OriginBadge({ origin }: { origin: string }) {
  return (
    <Badge color={origin === "urdb" ? "blue" : "gray"} variant="light" size="sm">
      {origin === "urdb" ? "URDB" : "Kilowatt"}
    </Badge>
  );
}
