import { describe, expect, it } from "vitest";
import type { ReadRow } from "../metering/index.js";
import { periodOf } from "./chunk.js";
import type { AgreementRow } from "./chunk-load.js";

// The period an agreement bills from its reads: where billing stopped, the read that closes it, and what it measured.
const agreement = (over: Partial<AgreementRow> = {}): AgreementRow => ({
  sa_id: 1,
  account_id: 1,
  account_number: "0000000018",
  customer_class: "residential",
  tariff_code: "E-1",
  start_date: "2013-05-01",
  end_date: null,
  service_point_id: 7,
  territory: "T",
  service_address: "1 Main St",
  billed_through: null,
  meter_id: 3,
  meter_number: "M1",
  multiplier: "1",
  meter_kind: "register",
  ...over,
});
let id = 0;
const read = (read_on: string, kwh: string | null, over: Partial<ReadRow> = {}): ReadRow => ({
  id: ++id,
  service_point_id: 7,
  read_on,
  reading: "0",
  kwh,
  demand_kw: null,
  kind: "actual",
  status: "valid",
  exception: null,
  exception_note: null,
  ...over,
});

describe("periodOf", () => {
  it("bills nothing from a meter's opening read alone, however long ago the agreement started", () => {
    expect(periodOf(agreement(), [read("2024-12-03", null)])).toBe("no_read");
  });

  it("bills a first period from the read before the closing one, or from the start when that read is older", () => {
    const p = periodOf(agreement({ start_date: "2026-06-15" }), [read("2026-06-14", null), read("2026-07-14", "300")]);
    expect(p).toMatchObject({ from: "2026-06-15", to: "2026-07-14", kwh: "300" });
    const moved = periodOf(agreement({ start_date: "2026-06-20" }), [
      read("2026-06-14", null),
      read("2026-07-14", "300"),
    ]);
    expect(moved).toMatchObject({ from: "2026-06-20", to: "2026-07-14" });
  });

  it("carries on the day after where billing stopped, and stops at the agreement's end", () => {
    const reads = [read("2026-06-14", "280"), read("2026-07-14", "300"), read("2026-08-13", "310")];
    expect(periodOf(agreement({ billed_through: "2026-06-14" }), reads)).toMatchObject({
      from: "2026-06-15",
      to: "2026-08-13",
      kwh: "610",
    });
    expect(periodOf(agreement({ billed_through: "2026-06-14", end_date: "2026-07-31" }), reads)).toMatchObject({
      from: "2026-06-15",
      to: "2026-07-14",
      kwh: "300",
    });
  });

  it("holds on a read held as an exception, naming it", () => {
    const held = read("2026-07-14", "-20", {
      status: "exception",
      exception: "negative_usage",
      exception_note: "went back",
    });
    expect(periodOf(agreement({ billed_through: "2026-06-14" }), [read("2026-06-14", "280"), held])).toBe(
      `read_exception:negative_usage:went back:${held.id}`,
    );
  });
});
