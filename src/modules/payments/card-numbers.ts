import type { FastifyRequest } from "fastify";
import { badRequest, type FieldError } from "../../platform/errors.js";

/** Whether a string of digits passes the Luhn check (as every payment card number does). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const isCardLength = (digits: string) => digits.length >= 13 && digits.length <= 19;

/**
 * Whether text holds what looks like a full card number: 13 to 19 digits passing the Luhn check, written together
 * or in groups split by single spaces or dashes ("4111 1111 1111 1111"). Account numbers (10 digits), phone
 * numbers and check numbers are too short to match.
 */
export function holdsCardNumber(text: string): boolean {
  for (const run of text.match(/\d+(?:[ -]\d+)*/g) ?? []) {
    const joined = run.replace(/[ -]/g, "");
    if (isCardLength(joined) && luhnValid(joined)) return true;
    for (const part of run.split(/[ -]/)) if (isCardLength(part) && luhnValid(part)) return true;
  }
  return false;
}

/** The fields (dotted paths) of a request body whose strings hold a card number. */
export function cardNumberFields(value: unknown, path: string[] = []): string[] {
  if (typeof value === "string") return holdsCardNumber(value) ? [path.join(".") || "body"] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => cardNumberFields(v, [...path, String(i)]));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(holdsCardNumber(k) ? [[...path, k].join(".")] : []),
      ...cardNumberFields(v, [...path, k]),
    ]);
  }
  return [];
}

/**
 * A route hook run before validation (so before the Idempotency-Key is claimed and anything is stored or hashed):
 * refuses a request carrying a full card number in any field. Kilowatt never stores card numbers; a card is
 * taken as the processor's token and its last four digits.
 */
export async function refuseCardNumbers(request: FastifyRequest): Promise<void> {
  const fields = cardNumberFields(request.body);
  if (fields.length === 0) return;
  const errors: FieldError[] = fields.map((field) => ({
    field,
    message: "holds what looks like a full card number: send the processor's token and the last four digits only",
  }));
  throw badRequest(`a card number may not be sent: ${fields.join(", ")}`, errors);
}
