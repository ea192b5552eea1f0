/** Identity numbers of customers (SSN, ITIN, EIN, driver's licence): format checks, normal form and masks. */

export const IDENTITY_TYPES = ["ssn", "itin", "ein", "drivers_license"] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

/**
 * The normal form of an identity number (digits, or upper-case letters and digits for a licence), the form that is
 * encrypted and hashed so "123-45-6789" and "123 45 6789" find each other; null with a reason when it is not valid.
 */
export function normaliseIdentityNumber(
  type: IdentityType,
  raw: string,
): { value: string; error?: undefined } | { value?: undefined; error: string } {
  const compact = raw.replace(/[\s-]/g, "").toUpperCase();
  switch (type) {
    case "ssn": {
      if (!/^\d{9}$/.test(compact)) return { error: "an SSN is 9 digits (123-45-6789)" };
      const [area, group, serial] = [compact.slice(0, 3), compact.slice(3, 5), compact.slice(5)];
      // The SSA never issues area 000, 666 or 900-999 (those are ITINs), group 00 or serial 0000.
      if (area === "000" || area === "666" || area.startsWith("9") || group === "00" || serial === "0000") {
        return { error: "not a number the Social Security Administration issues" };
      }
      return { value: compact };
    }
    case "itin":
      if (!/^9\d{8}$/.test(compact)) return { error: "an ITIN is 9 digits starting with 9 (9XX-XX-XXXX)" };
      return { value: compact };
    case "ein":
      if (!/^\d{9}$/.test(compact)) return { error: "an EIN is 9 digits (12-3456789)" };
      return { value: compact };
    case "drivers_license":
      if (!/^[A-Z0-9]{4,20}$/.test(compact)) return { error: "a driver's licence number is 4-20 letters and digits" };
      return { value: compact };
  }
}

/** The last four characters of a normalised identity number: what a CSR may read back to verify a caller. */
export const lastFour = (value: string) => value.slice(-4);

/** How the API shows an identity number without the permission to reveal it. */
export function maskIdentity(type: string, last4: string): string {
  switch (type) {
    case "ein":
      return `**-***${last4}`;
    case "drivers_license":
      return `****${last4}`;
    default:
      return `***-**-${last4}`;
  }
}

/** An identity number as people write it, from its normal form. */
export function formatIdentity(type: string, value: string): string {
  if ((type === "ssn" || type === "itin") && /^\d{9}$/.test(value)) {
    return `${value.slice(0, 3)}-${value.slice(3, 5)}-${value.slice(5)}`;
  }
  if (type === "ein" && /^\d{9}$/.test(value)) return `${value.slice(0, 2)}-${value.slice(2)}`;
  return value;
}
