import { describe, expect, it } from "vitest";
import { PROFILE_DEFAULTS } from "../policy/index.js";
import { type ClosedFacts, closedDecision } from "./closed.js";

// What the account's collections section says of a closed account on a quiet day: owing, paid, in credit, written off.
const rules = PROFILE_DEFAULTS.municipal.collections;
const facts = (over: Partial<ClosedFacts>): ClosedFacts => ({
  account_id: 7,
  account_number: "1234567890",
  notice_channel: "mail",
  balance_cents: 0n,
  open_credit_cents: 0n,
  final_due: "2026-01-20",
  active_account_id: null,
  active_account_number: null,
  held: null,
  state: null,
  ...over,
});

describe("a closed account's decision in words", () => {
  it("names a credit with nowhere to go as one to refund, never as money owed", () => {
    const d = closedDecision(facts({ balance_cents: -2_050n, open_credit_cents: 2_050n }), rules, "2026-01-10");
    expect(d).toMatchObject({ rule_id: "collections.closed", decision: "refund" });
    expect(d.explanation).toBe(
      "Closed account 1234567890 has a credit of $20.50 and the customer has no active account: refund it to the " +
        "customer.",
    );
    const kept = closedDecision(
      facts({ balance_cents: -2_050n, active_account_id: 9, active_account_number: "5550001111" }),
      { ...rules, closed: { ...rules.closed, transfer_credit: false } },
      "2026-01-10",
    );
    expect(kept.explanation).toBe(
      "Closed account 1234567890 has a credit of $20.50 (policy does not move credits to the active account " +
        "5550001111): refund it to the customer.",
    );
  });

  it("says a paid closed account owes nothing, and an owing one when it is written off", () => {
    expect(closedDecision(facts({}), rules, "2026-01-10").explanation).toBe(
      "Closed account 1234567890 owes nothing: nothing to collect.",
    );
    expect(closedDecision(facts({ balance_cents: 30_000n }), rules, "2026-01-10").explanation).toBe(
      "Closed account owing $300.00: the final bill was due 2026-01-20; written off on 2026-04-20 unless paid.",
    );
    expect(closedDecision(facts({ balance_cents: 30_000n, final_due: null }), rules, "2026-01-10").explanation).toBe(
      "Closed account owing $300.00: waiting for the final bill.",
    );
  });
});
