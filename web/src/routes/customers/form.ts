import {
  BASELINE_TERRITORIES,
  CUSTOMER_CLASSES,
  METER_KINDS,
  type NewCustomerRequest,
  NOTICE_CHANNELS,
} from "../../api/customers.js";

/** The form's values, keyed by the request field each one fills ("party.last_name"), so API errors map back. */
export type Values = Record<string, string>;

export interface Field {
  key: string;
  label: string;
  /** Choices for a select; a text box when absent. */
  options?: readonly { value: string; label: string }[];
  placeholder?: string;
  description?: string;
  required?: boolean;
  autoComplete?: string;
  /** Shown only when this returns true (a person's names vs a business name). */
  when?: (v: Values) => boolean;
}

export interface Section {
  title: string;
  fields: Field[];
}

const words = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, " ");
const choices = (list: readonly string[]) => list.map((value) => ({ value, label: words(value) }));
const person = (v: Values) => v["party.kind"] === "person";

/** The sections in the order the CSR fills them; Tab walks them top to bottom. */
export const SECTIONS: Section[] = [
  {
    title: "Customer",
    fields: [
      { key: "party.kind", label: "Customer is a", options: choices(["person", "business"]) },
      { key: "party.first_name", label: "First name", required: true, when: person, autoComplete: "off" },
      { key: "party.last_name", label: "Last name", required: true, when: person, autoComplete: "off" },
      { key: "party.business_name", label: "Business name", required: true, when: (v) => !person(v) },
      { key: "party.date_of_birth", label: "Date of birth", placeholder: "YYYY-MM-DD", when: person },
      { key: "party.phones.0.number", label: "Phone", placeholder: "(916) 555-0142" },
      { key: "party.email", label: "Email" },
    ],
  },
  {
    title: "Account",
    fields: [
      { key: "account.customer_class", label: "Customer class", options: choices(CUSTOMER_CLASSES) },
      { key: "account.notice_channel", label: "Notices by", options: choices(NOTICE_CHANNELS) },
      { key: "account.bill_cycle", label: "Bill cycle", required: true, placeholder: "01 to 21" },
    ],
  },
  {
    title: "Premise",
    fields: [
      {
        key: "premise.address_line1",
        label: "Service address",
        description: "Leave empty to open the account without service",
      },
      { key: "premise.city", label: "City" },
      { key: "premise.state", label: "State", placeholder: "CA" },
      { key: "premise.zip", label: "ZIP code" },
      {
        key: "premise.baseline_territory",
        label: "Baseline territory",
        options: [{ value: "", label: "Choose a territory" }, ...choices(BASELINE_TERRITORIES)],
      },
      { key: "premise.tax_jurisdiction", label: "Tax jurisdiction" },
    ],
  },
  {
    title: "Service point and meter",
    fields: [
      { key: "service_point.description", label: "Service point description", placeholder: "e.g. main panel" },
      {
        key: "meter.meter_number",
        label: "Meter number",
        description: "Leave empty when no meter is installed yet",
      },
      { key: "meter.kind", label: "Meter kind", options: choices(METER_KINDS) },
      {
        key: "meter.interval_minutes",
        label: "Interval",
        options: ["15", "5", "30", "60"].map((m) => ({ value: m, label: `${m} minutes` })),
        when: (v) => v["meter.kind"] === "interval",
      },
    ],
  },
  {
    title: "Service agreement",
    fields: [
      {
        key: "service_agreement.tariff_code",
        label: "Tariff code",
        placeholder: "E-1",
        description: "Leave empty to start service later",
      },
      { key: "service_agreement.start_date", label: "Start date", placeholder: "YYYY-MM-DD" },
    ],
  },
];

/** Today's date where the CSR sits, as YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A blank form with the usual choices made. */
export function initialValues(): Values {
  return {
    "party.kind": "person",
    "account.customer_class": "residential",
    "account.notice_channel": "mail",
    "premise.state": "CA",
    "premise.baseline_territory": "",
    "meter.kind": "register",
    "meter.interval_minutes": "15",
    "service_agreement.start_date": today(),
  };
}

/** The fields shown for these values, in tab order. */
export const visibleFields = (v: Values) => SECTIONS.flatMap((s) => s.fields.filter((f) => !f.when || f.when(v)));

/** The HTML id of a field's input. */
export const inputId = (key: string) => `new-customer-${key.replace(/\./g, "-")}`;

/**
 * The form field an API error belongs to: the field itself, else the nearest one it nests under
 * ("meter.registers.0.unit" lands on the meter number), else none (shown above the form).
 */
export function fieldOf(apiField: string, shown: Field[]): string | null {
  if (shown.some((f) => f.key === apiField)) return apiField;
  const parts = apiField.split(".");
  for (let n = parts.length - 1; n > 0; n--) {
    const prefix = `${parts.slice(0, n).join(".")}.`;
    const first = shown.find((f) => f.key.startsWith(prefix) && !f.options);
    if (first) return first.key;
  }
  return null;
}

const val = (v: Values, key: string) => v[key]?.trim() ?? "";
const orNull = (s: string) => (s === "" ? null : s);

/**
 * The request for these values. The premise, meter and agreement are sent only when started (their first field
 * has something in it), so an account can be opened without service; the API names whatever is missing.
 */
export function toRequest(v: Values): NewCustomerRequest {
  const kind = v["party.kind"] === "business" ? "business" : "person";
  const phone = val(v, "party.phones.0.number");
  const body: NewCustomerRequest = {
    party: {
      kind,
      ...(kind === "person"
        ? {
            first_name: orNull(val(v, "party.first_name")),
            last_name: orNull(val(v, "party.last_name")),
            date_of_birth: orNull(val(v, "party.date_of_birth")),
          }
        : { business_name: orNull(val(v, "party.business_name")) }),
      email: orNull(val(v, "party.email")),
      phones: phone ? [{ number: phone, label: "mobile" }] : [],
    },
    account: {
      customer_class: val(v, "account.customer_class"),
      notice_channel: val(v, "account.notice_channel"),
      bill_cycle: val(v, "account.bill_cycle"),
    },
  };
  if (val(v, "premise.address_line1")) {
    body.premise = {
      address_line1: val(v, "premise.address_line1"),
      city: val(v, "premise.city"),
      state: val(v, "premise.state").toUpperCase(),
      zip: val(v, "premise.zip"),
      baseline_territory: val(v, "premise.baseline_territory"),
      tax_jurisdiction: val(v, "premise.tax_jurisdiction"),
    };
    body.service_point = { kind: "electric", description: orNull(val(v, "service_point.description")) };
    if (val(v, "meter.meter_number")) {
      const interval = v["meter.kind"] === "interval";
      body.meter = {
        meter_number: val(v, "meter.meter_number").toUpperCase(),
        kind: val(v, "meter.kind"),
        interval_minutes: interval ? Number(v["meter.interval_minutes"]) : null,
        registers: [{ unit: "kWh", dials: 5 }],
      };
    }
    if (val(v, "service_agreement.tariff_code")) {
      body.service_agreement = {
        tariff_code: val(v, "service_agreement.tariff_code").toUpperCase(),
        start_date: val(v, "service_agreement.start_date"),
      };
    }
  } else if (val(v, "service_agreement.tariff_code")) {
    // Service without a premise: send it anyway so the API says what it needs (a service point).
    body.service_agreement = {
      tariff_code: val(v, "service_agreement.tariff_code").toUpperCase(),
      start_date: val(v, "service_agreement.start_date"),
    };
  }
  return body;
}
