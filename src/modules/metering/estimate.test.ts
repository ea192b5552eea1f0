import { describe, expect, it } from "vitest";
import { daysBetween, estimateUsage } from "./estimate.js";

const months = [
  { from: "2025-06-01", to: "2025-06-30", kwh: "600" },
  { from: "2025-07-01", to: "2025-07-31", kwh: "930" },
  { from: "2025-08-01", to: "2025-08-31", kwh: "620" },
  { from: "2026-04-01", to: "2026-04-30", kwh: "300" },
  { from: "2026-05-01", to: "2026-05-31", kwh: "310" },
  { from: "2026-06-01", to: "2026-06-30", kwh: "450" },
];

describe("estimateUsage", () => {
  it("counts days inclusively", () => {
    expect(daysBetween("2026-07-01", "2026-07-31")).toBe(31);
    expect(daysBetween("2026-07-01", "2026-07-01")).toBe(1);
  });

  it("uses the same period last year, scaled by days", () => {
    // July 2025 used 930 kWh over 31 days (30 a day); this July's 30 days get 900.
    const e = estimateUsage(months, { from: "2026-07-01", to: "2026-07-30" });
    expect(e).toMatchObject({ kwh: "900.000", basis: "last_year" });
    expect(e.explanation).toMatch(
      /same period last year: 900\.0 kWh over 30 days of 2025-07-01 to 2025-07-30 \(30\.0 kWh a day\), times 30 days/,
    );
  });

  it("weights last year's periods by the days they share with last year's window", () => {
    // 2025-07-16..2025-08-15: 16 days of July at 30/day (480) + 15 days of August at 20/day (300) = 780 over 31 days.
    const e = estimateUsage(months, { from: "2026-07-16", to: "2026-08-15" });
    expect(e).toMatchObject({ kwh: "780.000", basis: "last_year" });
  });

  it("falls back to the recent average daily use of the last 3 periods", () => {
    const recent = months.slice(3);
    // 300 + 310 + 450 = 1060 kWh over 30 + 31 + 30 = 91 days; 31 days -> 361.098...
    const e = estimateUsage(recent, { from: "2026-07-01", to: "2026-07-31" });
    expect(e).toMatchObject({ kwh: "361.099", basis: "recent_average" });
    expect(e.explanation).toMatch(/1060\.0 kWh over 91 days in the last 3 periods \(11\.6 kWh a day\), times 31 days/);
  });

  it("uses what recent history there is when less than 3 periods", () => {
    const e = estimateUsage([months[5]!], { from: "2026-07-01", to: "2026-07-10" });
    expect(e).toMatchObject({ kwh: "150.000", basis: "recent_average" });
    expect(e.explanation).toMatch(/last 1 period /);
  });

  it("needs last year to cover at least half the window", () => {
    const thin = [{ from: "2025-07-01", to: "2025-07-05", kwh: "150" }, ...months.slice(3)];
    expect(estimateUsage(thin, { from: "2026-07-01", to: "2026-07-31" }).basis).toBe("recent_average");
  });

  it("is zero with basis none when there is no history", () => {
    expect(estimateUsage([], { from: "2026-07-01", to: "2026-07-31" })).toEqual({
      kwh: "0.000",
      basis: "none",
      explanation: "no usage history to estimate from: estimated at zero",
    });
  });

  it("leaves out negative periods, periods after the one estimated and nonsense", () => {
    const odd = [
      { from: "2026-05-01", to: "2026-05-31", kwh: "-40" },
      { from: "2026-06-01", to: "2026-06-30", kwh: "300" },
      { from: "2026-08-01", to: "2026-08-31", kwh: "9999" },
      { from: "2026-04-01", to: "2026-04-30", kwh: "n/a" },
    ];
    expect(estimateUsage(odd, { from: "2026-07-01", to: "2026-07-30" })).toMatchObject({
      kwh: "300.000",
      basis: "recent_average",
    });
  });

  it("treats 29 February last year as the 28th", () => {
    const leap = [{ from: "2024-02-01", to: "2024-02-29", kwh: "290" }];
    const e = estimateUsage(leap, { from: "2025-02-01", to: "2025-02-28" });
    expect(e).toMatchObject({ basis: "last_year", kwh: "280.000" });
  });

  it("refuses an empty period", () => {
    expect(() => estimateUsage(months, { from: "2026-07-02", to: "2026-07-01" })).toThrow(/empty/);
  });
});
