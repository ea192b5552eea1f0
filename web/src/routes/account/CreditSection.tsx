import { Alert, Badge, Button, Group, Kbd, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ApiError } from "../../api/client.js";
import {
  type CreditCheck,
  type CreditDecision,
  type CreditSummary,
  creditKey,
  type Deposit,
  type DepositStatus,
  fetchCredit,
  type LetterOfCredit,
  REASON_WORDS,
  runCreditCheck,
  SANDBOX_BUREAU,
} from "../../api/credit.js";
import { useCommands } from "../../commands/registry.js";
import { restoreFocus, useNotice } from "../../focus.js";
import { useCan } from "../../user.js";
import { jumpToSection, Section } from "./AccountSections.js";
import { DepositModal } from "./DepositModal.js";
import { RuleLine } from "./dialog.js";
import { LetterOfCreditModal } from "./LetterOfCreditModal.js";
import { money } from "./money.js";
import { refreshMoney } from "./refresh.js";

const TITLE_ID = "section-credit-and-deposits";
const NUM = { textAlign: "right", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;

/** Cents the credit API sends as text, written as dollars. */
export const usd = (cents: string) => money(BigInt(cents));

/** The bureau as the workstation names it: the sandbox adapter always says it is one. */
export const bureauName = (bureau: string) =>
  bureau === SANDBOX_BUREAU ? "Sandbox bureau (asks no one: for testing and training)" : bureau;

const RATING: Record<CreditSummary["rating"], [string, string]> = {
  good: ["Good", "green"],
  poor: ["Poor", "red"],
  no_history: ["No history", "yellow"],
};

const STATUS: Record<DepositStatus, [string, string]> = {
  billed: ["Billed", "blue"],
  waived: ["Waived", "gray"],
  refunded: ["Refunded", "green"],
  applied: ["Applied to the final bill", "gray"],
  cancelled: ["Cancelled", "gray"],
};

/** What a decision is about and what it came to, from its rule id. */
function decisionLabel(d: CreditDecision): [string, string, string] {
  if (d.rule_id.startsWith("credit.rating.")) {
    const [word, color] = RATING[d.decision as CreditSummary["rating"]] ?? [d.decision, "gray"];
    return ["Credit rating", word, color];
  }
  const about = d.rule_id.startsWith("deposit.establishment.") ? "Deposit to start service" : "Deposit";
  if (d.decision === "required") return [about, "Deposit required", "red"];
  if (d.decision === "not_allowed") return [about, "Not charged under this profile", "gray"];
  if (d.decision === "billed") return [about, "Deposit on the account", "blue"];
  return [about, "No deposit", "green"];
}

/** Brings the section into view with focus on its heading. */
export function jumpToCredit() {
  jumpToSection(TITLE_ID);
}

/**
 * What happened to a deposit: a refund or an application at close keeps policy's sentence; a waiver names the letter;
 * a billed one says how it is billed.
 */
function depositNote(d: Deposit): string {
  const on = d.closed_on ? ` on ${d.closed_on}` : "";
  if (d.status === "billed") {
    return d.installments === 1 ? "Billed at once" : `Billed in ${d.installments} monthly installments`;
  }
  if ((d.status === "refunded" || d.status === "applied") && d.closed_note) return d.closed_note;
  if (d.status === "refunded" || d.status === "applied") {
    const interest = BigInt(d.interest_cents) > 0n ? ` with ${usd(d.interest_cents)} interest` : "";
    return `${d.status === "refunded" ? "Refunded" : "Applied"} ${usd(d.returned_cents)}${interest}${on}`;
  }
  const note = d.closed_note ? d.closed_note.charAt(0).toUpperCase() + d.closed_note.slice(1) : STATUS[d.status][0];
  return `${note}${on}`;
}

function Sub({ children }: { children: ReactNode }) {
  return (
    <Title order={3} size="h5" mt="xs">
      {children}
    </Title>
  );
}

function RuleId({ id }: { id: string }) {
  return <RuleLine rule={id} />;
}

/** The score of 100 with its rating and reasons, and what policy decides from it, each with its sentence. */
function Standing({ credit }: { credit: CreditSummary }) {
  const [word, color] = RATING[credit.rating];
  return (
    <Stack gap="xs">
      <Group gap="sm" align="baseline">
        <Text size="sm" fw={600}>
          Credit score
        </Text>
        <Text size="xl" fw={700} data-testid="credit-score">
          {credit.score} of 100
        </Text>
        <Badge color={color} variant="light">
          {word}
        </Badge>
        <Text size="sm">{credit.reasons.join("; ")}</Text>
      </Group>
      <Sub>What policy decides</Sub>
      <Stack gap="sm" component="ul" aria-label="Policy decisions" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {credit.decisions.map((d) => {
          const [about, said, tone] = decisionLabel(d);
          return (
            <li key={d.rule_id} data-testid="credit-decision">
              <Group gap="xs">
                <Text size="sm" fw={600}>
                  {about}
                </Text>
                <Badge color={tone} variant="light">
                  {said}
                </Badge>
              </Group>
              <Text size="sm">{d.explanation}</Text>
              <RuleId id={d.rule_id} />
            </li>
          );
        })}
      </Stack>
    </Stack>
  );
}

function DepositsTable({ credit }: { credit: CreditSummary }) {
  const { deposits, totals } = credit;
  return (
    <Stack gap="xs">
      {deposits.length === 0 ? (
        <Text size="sm">No deposits on this account.</Text>
      ) : (
        <Table captionSide="top" striped verticalSpacing={4}>
          <Table.Caption style={{ textAlign: "left", fontWeight: 600, marginBottom: 4 }} c="dark">
            Deposits, newest first
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Deposit</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col" style={NUM}>
                Amount
              </Table.Th>
              <Table.Th scope="col" style={NUM}>
                Paid
              </Table.Th>
              <Table.Th scope="col" style={NUM}>
                Unpaid
              </Table.Th>
              <Table.Th scope="col">What happened</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {deposits.map((d) => {
              const [label, color] = STATUS[d.status];
              return (
                <Table.Tr key={d.id} data-testid="deposit">
                  <Table.Th scope="row" fw={600}>
                    Deposit {d.id}
                    <Text size="xs" c="dimmed" fw={400}>
                      {REASON_WORDS[d.reason] ?? d.reason} · {d.requested_on} · {d.requested_by}
                    </Text>
                  </Table.Th>
                  <Table.Td>
                    <Badge color={color} variant="light">
                      {label}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={NUM}>{usd(d.amount_cents)}</Table.Td>
                  <Table.Td style={NUM}>{usd(d.paid_cents)}</Table.Td>
                  <Table.Td style={NUM} fw={d.status === "billed" ? 600 : 400}>
                    {usd(d.unpaid_cents)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{depositNote(d)}</Text>
                    <RuleId id={d.rule_id} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <Group gap="lg" data-testid="deposit-totals">
        <Text size="sm">
          Deposits held: <b>{usd(totals.held_cents)}</b>
        </Text>
        <Text size="sm">
          Deposits due: <b>{usd(totals.due_cents)}</b>
        </Text>
        <Text size="sm" c="dimmed">
          A deposit paid in full is refunded after {credit.refund_after_months} months with no late payment.
        </Text>
      </Group>
    </Stack>
  );
}

const counted = (n: number, what: string) => (n === 0 ? `no ${what}s` : `${n} ${what}${n === 1 ? "" : "s"}`);

function Letters({ letters, waiving }: { letters: LetterOfCredit[]; waiving: number | null }) {
  if (letters.length === 0) return <Text size="sm">No letter of credit on file.</Text>;
  return (
    <Stack gap={4} component="ul" aria-label="Letters of credit" style={{ listStyle: "none", padding: 0, margin: 0 }}>
      {letters.map((l) => (
        <li key={l.id} data-testid="letter">
          <Text size="sm">
            <b>{l.issuer}</b>, letter of {l.issued_on}: {l.months_of_service} months of service,{" "}
            {counted(l.late_payments, "late payment")}, {counted(l.disconnections, "disconnection")}.{" "}
            <Text span size="xs" c="dimmed">
              Letter {l.id}, received {l.received_on}
              {l.recorded_by ? ` by ${l.recorded_by}` : ""}
              {l.note ? ` · ${l.note}` : ""}
            </Text>
          </Text>
          {waiving === l.id && (
            <Badge color="green" variant="light">
              Waives the deposit to start service
            </Badge>
          )}
        </li>
      ))}
    </Stack>
  );
}

function LatestCheck({ check }: { check: CreditCheck | undefined }) {
  if (!check) return <Text size="sm">No external credit check on file.</Text>;
  return (
    <Text size="sm" data-testid="credit-check">
      <b>{bureauName(check.bureau)}</b>, {check.checked_on}: score {check.score} ({check.rating})
      {check.reasons.length ? `: ${check.reasons.join("; ")}` : ""}.{" "}
      <Text span size="xs" c="dimmed">
        Reference {check.reference}, run by {check.checked_by}
      </Text>
    </Text>
  );
}

/** What a credit check answered, for the notice line. */
const checkWords = (c: CreditCheck) =>
  `Credit check by the ${c.bureau === SANDBOX_BUREAU ? "sandbox bureau (asks no one)" : c.bureau}: score ${c.score} ` +
  `(${c.rating}), reference ${c.reference}.`;

/**
 * "Credit and deposits": the internal score of 100 with its rating and reasons; policy's decisions, each with the
 * sentence the CSR reads to the customer and its rule; the deposits (paid, unpaid, what happened to them) with the
 * totals held and due; letters of credit; the latest external check. `d` requires a deposit, `l` records a letter of
 * credit; a credit check runs from its button or the palette (never one stray key: it is an inquiry on the
 * customer). What an action did is said on a line at the top, which takes focus.
 */
export function CreditSection({ accountId }: { accountId: number }) {
  const credit = useQuery({
    queryKey: creditKey(accountId),
    queryFn: ({ signal }) => fetchCredit(accountId, signal),
    retry: (count, err) => !(err instanceof ApiError && err.status === 403) && count < 2,
  });
  const canManage = useCan("deposits.manage");
  const canCheck = useCan("credit.check");
  const [dialog, setDialog] = useState<"deposit" | "letter" | null>(null);
  const { notice, ref: noticeLine, say } = useNotice();
  const close = (done?: string) => {
    setDialog(null);
    if (done) say(done);
    else setTimeout(restoreFocus, 0);
  };
  const client = useQueryClient();
  const check = useMutation({
    mutationFn: () => runCreditCheck(accountId),
    onSuccess: async (c) => {
      await refreshMoney(client, [accountId]);
      say(checkWords(c));
    },
    onError: (err) => say(`The credit check did not run: ${err.message}`),
  });
  const runCheck = () => {
    if (!check.isPending) check.mutate();
  };

  useCommands([
    ...(canManage
      ? [
          {
            id: "account-require-deposit",
            label: "Require a deposit",
            description: "As policy decides: to start or restore service, or after a bankruptcy filing",
            group: "This page" as const,
            shortcut: "d",
            keywords: ["deposit", "security deposit", "installments", "establishment"],
            run: () => setDialog("deposit"),
          },
          {
            id: "account-letter-of-credit",
            label: "Record a letter of credit",
            description: "From another utility; it waives the deposit when it shows what policy asks",
            group: "This page" as const,
            shortcut: "l",
            keywords: ["letter of credit", "waive deposit", "previous utility", "credit reference"],
            run: () => setDialog("letter"),
          },
        ]
      : []),
    ...(canCheck
      ? [
          {
            id: "account-credit-check",
            label: "Run a credit check",
            description: "An external check of the customer through the configured bureau",
            group: "This page" as const,
            keywords: ["credit check", "bureau", "credit report", "score"],
            run: runCheck,
          },
        ]
      : []),
    // After the actions: typing "deposit" or "letter of credit" finds the action first.
    {
      id: "account-credit",
      label: "Credit and deposits",
      description: "Credit score, the deposit decision with its reason, deposits, letters of credit",
      group: "This page",
      keywords: ["credit", "deposit", "score", "rating", "letter of credit", "policy"],
      run: jumpToCredit,
    },
  ]);

  const data = credit.data;
  const deposit = data?.decisions.find((d) => d.rule_id.startsWith("deposit.establishment."));
  const billed = new Set(data?.deposits.filter((d) => d.status === "billed").map((d) => d.reason));
  const due = deposit?.decision === "required" && !billed.has("establishment");
  const waiving = (deposit?.facts.letter as { id?: number } | undefined)?.id ?? null;

  let body: ReactNode;
  if (credit.isPending) body = <Loader size="sm" aria-label="Loading credit and deposits" />;
  else if (credit.isError) {
    const forbidden = credit.error instanceof ApiError && credit.error.status === 403;
    body = (
      <Alert color={forbidden ? "gray" : "red"}>
        {forbidden ? "Your roles do not include credit." : `Credit and deposits did not load: ${credit.error.message}`}
      </Alert>
    );
  } else {
    const c = credit.data;
    body = (
      <Stack gap="sm">
        <Standing credit={c} />
        <Sub>Deposits</Sub>
        <DepositsTable credit={c} />
        <Sub>Letters of credit</Sub>
        <Letters letters={c.letters} waiving={waiving} />
        <Sub>Latest external credit check</Sub>
        <LatestCheck check={c.checks[0]} />
      </Stack>
    );
  }

  return (
    <Section
      title="Credit and deposits"
      actions={
        (canManage || canCheck) && (
          <Group gap="xs">
            {canManage && (
              <Button size="xs" variant={due ? "filled" : "light"} onClick={() => setDialog("deposit")}>
                Require deposit{" "}
                <Kbd ml={6} size="xs">
                  d
                </Kbd>
              </Button>
            )}
            {canManage && (
              <Button size="xs" variant="light" onClick={() => setDialog("letter")}>
                Letter of credit{" "}
                <Kbd ml={6} size="xs">
                  l
                </Kbd>
              </Button>
            )}
            {canCheck && (
              <Button size="xs" variant="light" loading={check.isPending} onClick={runCheck}>
                Run a credit check
              </Button>
            )}
          </Group>
        )
      }
    >
      <Stack gap="xs">
        {notice && (
          <Text ref={noticeLine} tabIndex={-1} role="status" fw={600} data-testid="credit-notice">
            {notice}
          </Text>
        )}
        {body}
      </Stack>
      {canManage && (
        <>
          <DepositModal
            accountId={accountId}
            opened={dialog === "deposit"}
            onClose={close}
            decision={due ? deposit : undefined}
            maxInstallments={data?.max_installments ?? 1}
          />
          <LetterOfCreditModal accountId={accountId} asOf={data?.as_of} opened={dialog === "letter"} onClose={close} />
        </>
      )}
    </Section>
  );
}
