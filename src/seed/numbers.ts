import { accountNumberFromBase } from "../core/account-number.js";

const SPAN = 900_000_000n;

// Multiplying by a number coprime to the span (900,000,000 = 2^8 3^2 5^8) permutes it, so distinct ordinals give
// distinct, scattered numbers: seeded accounts do not get consecutive account numbers, as real ones would not.
const scramble = (ordinal: number, multiplier: bigint) =>
  String(100_000_000n + ((BigInt(ordinal) * multiplier) % SPAN));

// A retry (the first number was taken by a record made outside the seed) draws from the top of the ordinal range,
// which seeded ids never reach, so it cannot collide with another seeded record's first choice.
const ordinalOf = (id: number, attempt: number) => (attempt === 0 ? id : 899_999_999 - (id * 16 + attempt));

/** The seeded account number of an account id: 9 scattered digits and a Luhn check digit; `attempt` (< 16) picks another. */
export function seededAccountNumber(accountId: number, attempt = 0): string {
  return accountNumberFromBase(scramble(ordinalOf(accountId, attempt), 282_475_249n));
}

/** The seeded meter number of a meter id: 9 digits; `attempt` (< 16) picks another. */
export function seededMeterNumber(meterId: number, attempt = 0): string {
  return scramble(ordinalOf(meterId, attempt), 410_338_673n);
}
