/** Ages from business dates ("YYYY-MM-DD"), as people count them: a birthday counts from its day. */

/** Whole years from a birth date to a date; a 29 February birthday falls on 1 March in common years. */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number) as [number, number, number];
  const [y, m, d] = on.split("-").map(Number) as [number, number, number];
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}

/** Whether someone born on birthDate is 65 or older on a date. */
export const isSeniorOn = (birthDate: string, on: string) => ageOn(birthDate, on) >= 65;
