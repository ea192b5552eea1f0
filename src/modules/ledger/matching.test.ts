import { describe, expect, it } from "vitest";
import { clearingOrder, matchCredits, type OpenItem } from "./matching.js";

const item = (id: number, open: number, due: string | null, posted = "2026-01-01"): OpenItem => ({
  id,
  open_cents: BigInt(open),
  due_date: due,
  accounting_date: posted,
});

describe("the clearing order", () => {
  it("puts the oldest due first, unbilled items last, then by posting date and id", () => {
    const items = [
      item(1, 100, null, "2026-01-01"),
      item(2, 100, "2026-02-10"),
      item(3, 100, "2026-01-10", "2026-01-05"),
      item(4, 100, "2026-01-10", "2026-01-02"),
      item(5, 100, null, "2025-12-01"),
      item(6, 100, "2026-01-10", "2026-01-02"),
    ];
    expect(clearingOrder(items).map((i) => i.id)).toEqual([4, 6, 3, 2, 5, 1]);
  });
});

describe("matching credits to items", () => {
  it("pays items in the order given as far as each credit goes", () => {
    const matches = matchCredits(
      [
        { id: 10, open_cents: 150n },
        { id: 11, open_cents: 30n },
      ],
      [item(1, 100, "2026-01-10"), item(2, 70, "2026-02-10"), item(3, 50, "2026-03-10")],
    );
    expect(matches).toEqual([
      { item_id: 1, credit_id: 10, amount_cents: 100n },
      { item_id: 2, credit_id: 10, amount_cents: 50n },
      { item_id: 2, credit_id: 11, amount_cents: 20n },
      { item_id: 3, credit_id: 11, amount_cents: 10n },
    ]);
  });

  it("leaves the remainder of a credit when the items run out, and matches nothing without items", () => {
    expect(matchCredits([{ id: 1, open_cents: 500n }], [item(1, 120, null)])).toEqual([
      { item_id: 1, credit_id: 1, amount_cents: 120n },
    ]);
    expect(matchCredits([{ id: 1, open_cents: 500n }], [])).toEqual([]);
    expect(matchCredits([], [item(1, 120, null)])).toEqual([]);
  });
});
