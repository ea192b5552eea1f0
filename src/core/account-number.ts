/** Account numbers: 9 digits and a Luhn check digit, so a mistyped digit or a swap of neighbours is caught. */

const DIGITS = /^\d+$/;

/** The Luhn check digit that completes a string of digits. */
export function luhnCheckDigit(body: string): number {
  if (!DIGITS.test(body)) throw new Error("a Luhn body must be digits");
  let sum = 0;
  // Walking from the right, the digit next to the (missing) check digit is doubled, then every second one.
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    const weighted = i % 2 === 0 ? digit * 2 : digit;
    sum += weighted > 9 ? weighted - 9 : weighted;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether a string of digits ends in its correct Luhn check digit. */
export function passesLuhn(value: string): boolean {
  if (value.length < 2 || !DIGITS.test(value)) return false;
  return luhnCheckDigit(value.slice(0, -1)) === value.charCodeAt(value.length - 1) - 48;
}

export const ACCOUNT_BASE_MIN = 100_000_000;
export const ACCOUNT_BASE_MAX = 999_999_999;

/** The 10-digit account number of a 9-digit base (100000000..999999999): the base and its check digit. */
export function accountNumberFromBase(base: number | string): string {
  const body = String(base);
  if (!/^[1-9]\d{8}$/.test(body)) throw new Error(`an account number base is 9 digits not starting with 0: ${body}`);
  return `${body}${luhnCheckDigit(body)}`;
}

/** Whether a value is a well-formed account number: 10 digits, no leading zero, a correct check digit. */
export function isValidAccountNumber(value: string): boolean {
  return /^[1-9]\d{9}$/.test(value) && passesLuhn(value);
}

/** A random account number, from a source of integers in [min, max] (crypto's randomInt in production). */
export function randomAccountNumber(randomInt: (min: number, max: number) => number): string {
  return accountNumberFromBase(randomInt(ACCOUNT_BASE_MIN, ACCOUNT_BASE_MAX));
}
