import type { auditLog } from "../../platform/schema.js";
import { dollars, REVERSAL_REASONS } from "../payments/index.js";

/** One thing that happened on an account, in plain words, as the activity timeline shows it. */
export interface ActivityEvent {
  /** The audit row the event comes from: stable, and the paging cursor. */
  id: number;
  at: string;
  /** A short code: contact, payment, payment_reversal, payment_transfer, adjustment, service_started, ... */
  kind: string;
  title: string;
  /** Plain text (customer notes included): clients show it as text, never as markup. */
  detail: string;
  actor: string;
  /** The amount of a payment (this account's share), reversal, transfer or adjustment; `kind` and `title` say which way. */
  amount_cents?: bigint;
  ref?: { type: string; id: number };
}

type AuditRow = typeof auditLog.$inferSelect;
type Image = Record<string, unknown>;

const PROGRAM_NAMES: Record<string, string> = { care: "CARE", fera: "FERA", medical_baseline: "Medical baseline" };

/** Field names of a customer's record as a CSR says them; the rest are derived or bookkeeping. */
const PARTY_FIELDS: Record<string, string> = {
  first_name: "name",
  middle_name: "name",
  last_name: "name",
  business_name: "name",
  date_of_birth: "birth date",
  language: "language",
  email: "email",
  phones: "phone numbers",
  mailing_address: "mailing address",
  identity_type: "identity number",
  identity_number: "identity number",
  third_party: "third-party contact",
};

const ACCOUNT_FIELDS: Record<string, string> = {
  customer_class: "customer class",
  main_party_id: "main customer",
  co_applicant_ids: "co-applicants",
  mailing_address: "mailing address",
  notice_channel: "notice channel",
  bill_cycle: "bill cycle",
};

const words = (code: string) => code.replace(/_/g, " ");
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const image = (v: unknown): Image =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Image) : {};
const text = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));
export const cents = (v: unknown): bigint => (typeof v === "string" || typeof v === "number" ? BigInt(v) : 0n);
/** A redacted field (an identity number) says only whether it changed, with the same marker on both sides. */
const sameValue = (a: unknown, b: unknown) =>
  a !== "[redacted: changed]" && JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
/** Phones are replaced as a list (new ids): compare what a person would see. */
const phonesOf = (v: unknown) =>
  Array.isArray(v) ? v.map((p) => [image(p).number, image(p).label, image(p).primary]) : v;

/** A business date as people read it: 2026-03-02 -> "Mar 2, 2026". */
function day(iso: unknown): string {
  const s = text(iso);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  return new Date(`${s}T12:00:00Z`).toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** The first non-empty line of free text, cut to a line's length. */
function firstLine(notes: string, max = 160): string {
  const line =
    notes
      .split(/\r?\n/)
      .find((l) => l.trim() !== "")
      ?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Which of `fields` differ between two images, named once each, in the order given. */
function changed(before: Image, after: Image, fields: Record<string, string>): string[] {
  const names = Object.entries(fields)
    .filter(([f]) =>
      f === "phones" ? !sameValue(phonesOf(before[f]), phonesOf(after[f])) : !sameValue(before[f], after[f]),
    )
    .map(([, name]) => name);
  return [...new Set(names)];
}

/** What the page needs beyond the audit rows: read once per page, as sets. */
export interface Lookups {
  premiseOfAgreement: Map<number, string>;
  partyNames: Map<number, string>;
  accountNumbers: Map<number, string>;
  paymentTotals: Map<string, bigint>;
}

type Told = Omit<ActivityEvent, "id" | "at" | "actor">;

/** One audit row in the CSR's words, or null when it tells nothing worth a line (an edit that changed nothing). */
export function tell(row: AuditRow, accountId: number, look: Lookups): Told | null {
  const after = image(row.after);
  const before = image(row.before);
  const entity = Number(row.entityId);
  switch (row.action) {
    case "contact.create": {
      const notes = firstLine(text(after.notes));
      const title = `${capital(words(text(after.channel)))} contact: ${words(text(after.reason_code))}`;
      const parts = [capital(words(text(after.outcome)))];
      if (notes) parts.push(notes);
      return { kind: "contact", title, detail: parts.join(" · "), ref: { type: "contact", id: entity } };
    }
    case "payments.take": {
      const share = (Array.isArray(after.distribution) ? after.distribution : [])
        .map(image)
        .filter((d) => Number(d.account_id) === accountId)
        .reduce((s, d) => s + cents(d.amount_cents), 0n);
      const total = cents(after.total_cents);
      const tenders = (Array.isArray(after.tenders) ? after.tenders : []).map((t) => text(image(t).tender));
      const parts = [`${tenders.join(", ")}`, `by ${words(text(after.channel))}`];
      if (share !== total) parts.push(`${dollars(share)} of ${dollars(total)} to this account`);
      return {
        kind: "payment",
        title: `Payment ${dollars(share)} received`,
        detail: parts.filter(Boolean).join(" · "),
        amount_cents: share,
        ref: { type: "payment", id: entity },
      };
    }
    case "payments.reverse": {
      const reason = REVERSAL_REASONS[text(after.reason) as keyof typeof REVERSAL_REASONS]?.label ?? text(after.reason);
      const total = look.paymentTotals.get(row.entityId);
      const parts: string[] = [reason];
      if (after.fee_cents != null) parts.push(`returned-payment fee ${dollars(cents(after.fee_cents))}`);
      if (text(after.note)) parts.push(firstLine(text(after.note)));
      return {
        kind: "payment_reversal",
        title: `Payment ${total === undefined ? `#${entity}` : dollars(total)} reversed`,
        detail: parts.join(" · "),
        ...(total === undefined ? {} : { amount_cents: total }),
        ref: { type: "payment", id: entity },
      };
    }
    case "payments.transfer_out":
    case "payments.transfer_in": {
      const out = row.action === "payments.transfer_out";
      const other = Number(out ? after.to_account_id : after.from_account_id);
      const number = look.accountNumbers.get(other) ?? `#${other}`;
      const amount = cents(after.amount_cents);
      return {
        kind: "payment_transfer",
        title: `Payment ${dollars(amount)} moved ${out ? "to" : "here from"} account ${number}`,
        detail: firstLine(text(after.reason)),
        amount_cents: amount,
        ref: { type: "payment", id: entity },
      };
    }
    case "payments.cash_only":
      return {
        kind: "cash_only",
        title: `Cash only until ${day(after.ends_on)}`,
        detail: text(after.reason),
      };
    case "adjustments.charge":
    case "adjustments.credit": {
      const amount = cents(after.amount_cents);
      const credit = row.action === "adjustments.credit";
      return {
        kind: "adjustment",
        title: `${credit ? "Credit" : "Charge"} adjustment ${dollars(amount)}`,
        detail: [text(after.reason_label), firstLine(text(after.note))].filter(Boolean).join(" · "),
        amount_cents: amount,
        ref: { type: "adjustment", id: entity },
      };
    }
    case "approvals.request":
    case "approvals.approve":
    case "approvals.reject":
      return tellApproval(row.action, after, entity);
    case "refunds.post": {
      const amount = cents(after.amount_cents);
      const by = after.method === "ach" ? `ACH to the account ending ${text(after.last4)}` : "check";
      const parts = [text(after.reason_label), firstLine(text(after.note))];
      if (after.approved_by) parts.push(`approved by ${text(after.approved_by)}`);
      return {
        kind: "refund",
        title: `Refund of ${dollars(amount)} by ${by}`,
        detail: parts.filter(Boolean).join(" · "),
        amount_cents: amount,
        ref: { type: "refund", id: entity },
      };
    }
    case "service_agreement.create":
    case "service_agreement.update":
      return tellAgreement(row.action === "service_agreement.create" ? null : before, after, entity, look);
    case "enrolment.create":
    case "enrolment.update": {
      const program = PROGRAM_NAMES[text(after.program)] ?? capital(words(text(after.program)));
      const ref = { type: "enrolment", id: entity };
      if (row.action === "enrolment.create") {
        const until = after.effective_to ? ` to ${day(after.effective_to)}` : "";
        return {
          kind: "enrolment",
          title: `Enrolled in ${program}`,
          detail: `From ${day(after.effective_from)}${until}`,
          ref,
        };
      }
      if (after.effective_to && !sameValue(before.effective_to, after.effective_to)) {
        return {
          kind: "enrolment_ended",
          title: `${program} enrolment ended`,
          detail: `On ${day(after.effective_to)}`,
          ref,
        };
      }
      const fields = changed(before, after, {
        effective_from: "start date",
        effective_to: "end date",
        recertify_by: "recertification date",
        permanent: "permanent",
        household_size: "household size",
        note: "note",
      });
      return fields.length
        ? { kind: "enrolment", title: `${program} enrolment changed`, detail: capital(fields.join(", ")), ref }
        : null;
    }
    case "account.create":
      return {
        kind: "account_opened",
        title: "Account opened",
        detail: `${capital(words(text(after.customer_class)))} · bill cycle ${text(after.bill_cycle)} · notices by ${text(after.notice_channel)}`,
        ref: { type: "account", id: entity },
      };
    case "account.update": {
      const ref = { type: "account", id: entity };
      if (before.status !== after.status) {
        if (after.status === "closed")
          return { kind: "account_closed", title: "Account closed", detail: `On ${day(after.closed_on)}`, ref };
        return {
          kind: "account_status",
          title: `Account ${words(text(after.status))}`,
          detail: `Was ${words(text(before.status))}`,
          ref,
        };
      }
      const fields = changed(before, after, ACCOUNT_FIELDS);
      return fields.length
        ? { kind: "account_changed", title: "Account details changed", detail: capital(fields.join(", ")), ref }
        : null;
    }
    default:
      return tellParty(row, before, after, entity, look);
  }
}

/** A credit or refund above the requester's limit: waiting for approval, approved, or rejected. */
function tellApproval(action: string, after: Image, id: number): Told {
  const amount = cents(after.amount_cents);
  const what = `${after.kind === "refund" ? "Refund" : "Credit"} of ${dollars(amount)}`;
  const ref = { type: "approval_request", id };
  if (action === "approvals.request") {
    return {
      kind: "approval_requested",
      title: `${what} waiting for approval`,
      detail: text(after.summary),
      amount_cents: amount,
      ref,
    };
  }
  const approved = action === "approvals.approve";
  const parts = [text(after.summary), `asked by ${text(after.requested_by)}`, firstLine(text(after.decision_note))];
  return {
    kind: approved ? "approval_approved" : "approval_rejected",
    title: `${what} ${approved ? "approved" : "rejected"}`,
    detail: parts.filter(Boolean).join(" · "),
    amount_cents: amount,
    ref,
  };
}

function tellAgreement(before: Image | null, after: Image, id: number, look: Lookups): Told | null {
  const tariff = text(after.tariff_code);
  const where = look.premiseOfAgreement.get(id);
  const ref = { type: "service_agreement", id };
  const at = (what: string) => [where, what].filter(Boolean).join(" · ");
  if (!before) {
    const pending = after.status === "pending";
    return {
      kind: "service_started",
      title: pending ? `Service to start (${tariff})` : `Service started (${tariff})`,
      detail: at(`${pending ? "Starts" : "From"} ${day(after.start_date)}`),
      ref,
    };
  }
  if (after.status === "stopped" && before.status !== "stopped") {
    return {
      kind: "service_stopped",
      title: `Service stopped (${tariff})`,
      detail: at(`Ended ${day(after.end_date)}`),
      ref,
    };
  }
  if (after.status === "active" && before.status === "pending") {
    return {
      kind: "service_started",
      title: `Service started (${tariff})`,
      detail: at(`From ${day(after.start_date)}`),
      ref,
    };
  }
  const fields = changed(before, after, { tariff_code: "tariff", start_date: "start date", end_date: "end date" });
  if (!fields.length) return null;
  const tariffChange = before.tariff_code !== after.tariff_code ? ` (${text(before.tariff_code)} → ${tariff})` : "";
  return {
    kind: "service_changed",
    title: `Service agreement changed${tariffChange}`,
    detail: at(capital(fields.join(", "))),
    ref,
  };
}

function tellParty(row: AuditRow, before: Image, after: Image, party: number, look: Lookups): Told | null {
  const name = look.partyNames.get(party) ?? `customer #${party}`;
  const ref = { type: "party", id: party };
  switch (row.action) {
    case "party.create":
      return { kind: "customer_added", title: "Customer record created", detail: name, ref };
    case "party.update": {
      // Field names only: the identity number's image is redacted, and values belong to the audit history.
      const fields = changed(before, after, PARTY_FIELDS);
      return fields.length
        ? { kind: "customer_changed", title: "Customer details changed", detail: `${name}: ${fields.join(", ")}`, ref }
        : null;
    }
    case "party.identity_revealed":
      return {
        kind: "identity_revealed",
        title: "Identity number revealed",
        detail: `${text(after.identity_type).toUpperCase()} of ${name}`,
        ref,
      };
    case "party.flag_add":
      return {
        kind: "flag",
        title: `${capital(words(text(after.flag)))} flag added`,
        detail: `${name} · from ${day(after.effective_from)}`,
        ref,
      };
    case "party.flag_update": {
      const ended = after.effective_to && !sameValue(before.effective_to, after.effective_to);
      return {
        kind: "flag",
        title: `${capital(words(text(after.flag)))} flag ${ended ? "ended" : "changed"}`,
        detail: ended ? `${name} · on ${day(after.effective_to)}` : name,
        ref,
      };
    }
    default:
      return null;
  }
}
