import { Badge, Button, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { APPROVAL_COUNT_KEY, fetchApprovalCount } from "../../api/approvals.js";
import { useCommands } from "../../commands/registry.js";
import { useCan } from "../../user.js";

/** The header's link to the approval queue, with how many requests wait for this person, and its palette command. */
function ApprovalsLink() {
  const navigate = useNavigate();
  const count = useQuery({
    queryKey: APPROVAL_COUNT_KEY,
    queryFn: ({ signal }) => fetchApprovalCount(signal),
    refetchInterval: 60_000,
  });
  const waiting = count.data?.yours_to_decide ?? 0;
  useCommands([
    {
      id: "approvals",
      label: "Approvals",
      description: "Credits and refunds above someone's limit, waiting for your approval",
      group: "Go to",
      keywords: ["approve", "reject", "queue", "waiting", "credits", "refunds", "limit"],
      run: () => void navigate({ to: "/approvals" }),
    },
  ]);
  return (
    <Button
      component={Link}
      to="/approvals"
      variant="subtle"
      size="xs"
      rightSection={
        waiting > 0 ? (
          <Badge size="sm" circle aria-hidden="true" data-testid="approvals-badge">
            {waiting}
          </Badge>
        ) : undefined
      }
    >
      Approvals
      {waiting > 0 && <VisuallyHidden>: {waiting} waiting for you</VisuallyHidden>}
    </Button>
  );
}

/** Shown to those who decide approvals only. */
export function ApprovalsNavLink() {
  return useCan("approvals.decide") ? <ApprovalsLink /> : null;
}
