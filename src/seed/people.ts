import type { Rng } from "./random.js";

/** An identity number as the parties context keeps it: type, normalised value (what is encrypted and hashed), last four. */
export interface IdentityNumber {
  type: "ssn" | "itin" | "ein" | "drivers_license";
  value: string;
  last4: string;
}

/** A plausible identity number of the given type (never a real one's pattern check, just its shape). */
export function identityNumber(rng: Rng, type: IdentityNumber["type"]): IdentityNumber {
  let value: string;
  switch (type) {
    case "ssn": {
      let area = rng.int(1, 899);
      if (area === 666) area = 667;
      value = `${String(area).padStart(3, "0")}${String(rng.int(1, 99)).padStart(2, "0")}${String(rng.int(1, 9999)).padStart(4, "0")}`;
      break;
    }
    case "itin":
      value = `9${rng.digits(2)}${rng.int(70, 88)}${rng.digits(4)}`;
      break;
    case "ein":
      value = `${rng.int(10, 98)}${rng.digits(7)}`;
      break;
    default:
      value = `${String.fromCharCode(65 + rng.int(0, 25))}${rng.digits(7)}`;
  }
  return { type, value, last4: value.slice(-4) };
}

const EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com", "inbox.example.net"];

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** A person's email at a reserved example domain (no real mailbox ever receives seeded mail). */
export function personEmail(rng: Rng, first: string, last: string): string {
  const f = slug(first);
  const l = slug(last);
  const local = rng.pick([`${f}.${l}`, `${f}${l}`, `${f}_${l}`, `${f[0]}${l}`, `${l}.${f}`]);
  const suffix = rng.chance(0.6) ? String(rng.int(1, 9999)) : "";
  return `${local}${suffix}@${rng.pick(EMAIL_DOMAINS)}`;
}

/** A business's email at a subdomain of a reserved example domain. */
export function businessEmail(rng: Rng, name: string): string {
  const base = slug(name).slice(0, 24) || "office";
  return `${rng.pick(["info", "office", "billing", "accounts", "admin"])}@${base}.example.com`;
}

const CONTACT_KINDS = [
  {
    reason: "billing_question",
    weight: 24,
    notes: [
      "Customer asked how the tiered rate applies to the last bill; explained baseline allowance.",
      "Walked through the charges on the current bill; customer satisfied.",
      "Customer asked why the bill changed; explained the number of days in the period.",
    ],
  },
  {
    reason: "high_bill",
    weight: 14,
    notes: [
      "High bill complaint; reviewed usage history, usage up with the heat. Offered an energy audit.",
      "Customer disputes usage; reads look valid. Sent a meter test request form.",
      "High bill; suggested the time-of-use rate comparison tool.",
    ],
  },
  {
    reason: "payment_arrangement",
    weight: 10,
    notes: [
      "Customer cannot pay in full; set up an arrangement over 6 months.",
      "Asked for more time to pay; granted a 2-week extension.",
    ],
  },
  {
    reason: "start_service",
    weight: 8,
    notes: ["Started service at the premise; confirmed mailing address.", "New customer; read the service terms."],
  },
  {
    reason: "stop_service",
    weight: 5,
    notes: ["Customer moving out; scheduled a final read.", "Stop requested; final bill to the new address."],
  },
  {
    reason: "outage_report",
    weight: 9,
    notes: [
      "Reported an outage on the street; gave the restoration estimate.",
      "Lights flickering; created a field check.",
    ],
  },
  {
    reason: "program_enrolment",
    weight: 9,
    notes: [
      "Asked about CARE; mailed the application.",
      "Enrolled in paperless billing.",
      "Asked about medical baseline forms.",
    ],
  },
  {
    reason: "address_change",
    weight: 6,
    notes: ["Updated the mailing address.", "Updated phone number and email."],
  },
  {
    reason: "payment",
    weight: 10,
    notes: ["Took a payment by phone.", "Customer confirmed a payment made at the counter."],
  },
  {
    reason: "other",
    weight: 5,
    notes: ["General question about the utility's hours.", "Customer called to confirm receipt of a letter."],
  },
] as const;
const CONTACT_TOTAL = CONTACT_KINDS.reduce((s, k) => s + k.weight, 0);

/** What a logged contact was about: reason code and a note. */
export function contactReason(rng: Rng): { reason: string; note: string } {
  let x = rng.next() * CONTACT_TOTAL;
  for (const k of CONTACT_KINDS) {
    x -= k.weight;
    if (x < 0) return { reason: k.reason, note: rng.pick(k.notes) };
  }
  return { reason: "other", note: "" };
}
