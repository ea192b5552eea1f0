import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accountNumberFromBase,
  isValidAccountNumber,
  luhnCheckDigit,
  passesLuhn,
  randomAccountNumber,
} from "./account-number.js";

const base = fc.integer({ min: 100_000_000, max: 999_999_999 });

describe("account numbers", () => {
  it("agrees with known Luhn values", () => {
    expect(luhnCheckDigit("7992739871")).toBe(3);
    expect(passesLuhn("79927398713")).toBe(true);
    expect(passesLuhn("79927398710")).toBe(false);
    expect(accountNumberFromBase(123456789)).toBe("1234567897");
  });

  it("makes 10 digits that validate from any 9-digit base", () => {
    fc.assert(
      fc.property(base, (b) => {
        const n = accountNumberFromBase(b);
        expect(n).toMatch(/^[1-9]\d{9}$/);
        expect(n.slice(0, 9)).toBe(String(b));
        expect(isValidAccountNumber(n)).toBe(true);
      }),
    );
  });

  it("catches any single mistyped digit", () => {
    fc.assert(
      fc.property(base, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (b, pos, delta) => {
        const n = accountNumberFromBase(b);
        const wrong = (Number(n[pos]) + delta) % 10;
        const typo = n.slice(0, pos) + wrong + n.slice(pos + 1);
        expect(isValidAccountNumber(typo)).toBe(false);
      }),
    );
  });

  it("catches a swap of two different neighbouring digits (except 0 and 9)", () => {
    fc.assert(
      fc.property(base, fc.integer({ min: 0, max: 8 }), (b, pos) => {
        const n = accountNumberFromBase(b);
        const [x, y] = [n[pos]!, n[pos + 1]!];
        fc.pre(x !== y && !((x === "0" && y === "9") || (x === "9" && y === "0")));
        const swapped = n.slice(0, pos) + y + x + n.slice(pos + 2);
        expect(isValidAccountNumber(swapped)).toBe(false);
      }),
    );
  });

  it("refuses malformed values and bases", () => {
    for (const bad of ["", "123456789", "12345678970", "0234567897", "12345a7897", "1234567890"]) {
      expect(isValidAccountNumber(bad)).toBe(false);
    }
    expect(() => accountNumberFromBase(99_999_999)).toThrow();
    expect(() => accountNumberFromBase("012345678")).toThrow();
    expect(() => luhnCheckDigit("12x")).toThrow();
  });

  it("draws random numbers from the whole base range", () => {
    expect(randomAccountNumber((min) => min)).toBe(accountNumberFromBase(100_000_000));
    expect(randomAccountNumber((_min, max) => max)).toBe(accountNumberFromBase(999_999_999));
  });
});
