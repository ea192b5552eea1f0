import { describe, expect, it } from "vitest";
import { ageOn, isSeniorOn } from "./age.js";

describe("ages", () => {
  it("counts a birthday from its day", () => {
    expect(ageOn("1961-03-02", "2026-03-01")).toBe(64);
    expect(ageOn("1961-03-02", "2026-03-02")).toBe(65);
    expect(isSeniorOn("1961-03-02", "2026-03-02")).toBe(true);
    expect(isSeniorOn("1961-03-03", "2026-03-02")).toBe(false);
  });
  it("lets a 29 February birthday arrive on 1 March in common years", () => {
    expect(ageOn("1960-02-29", "2025-02-28")).toBe(64);
    expect(ageOn("1960-02-29", "2025-03-01")).toBe(65);
    expect(ageOn("1960-02-29", "2024-02-29")).toBe(64);
  });
});
