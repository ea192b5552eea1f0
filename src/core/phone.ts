/** Phone numbers of the North American Numbering Plan, stored as E.164 ("+19165550142"). */

/**
 * The E.164 form of a US (NANP) number as people type it: "(916) 555-0142", "916.555.0142", "1-916-555-0142",
 * "+1 916 555 0142". Null when it is not a dialable NANP number (area code and exchange cannot start with 0 or 1,
 * and neither can be an N11 service code such as 911).
 */
export function toE164(input: string): string | null {
  const trimmed = input.trim();
  // Only digits and the usual separators; letters or an extension make it something we will not guess at.
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+") && !digits.startsWith("1")) return null; // another country's code
  if (digits.length === 11 && digits.startsWith("1")) digits = digits.slice(1);
  if (digits.length !== 10) return null;
  const area = digits.slice(0, 3);
  const exchange = digits.slice(3, 6);
  if (!/^[2-9]/.test(area) || !/^[2-9]/.test(exchange)) return null;
  if (/^[2-9]11$/.test(area) || /^[2-9]11$/.test(exchange)) return null;
  return `+1${digits}`;
}

/** Whether a value is already a NANP number in E.164. */
export const isE164Nanp = (value: string) => toE164(value) === value;

/** A NANP E.164 number as people read it: "(916) 555-0142". */
export function formatNanp(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}
