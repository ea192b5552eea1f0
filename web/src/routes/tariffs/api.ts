import { api } from "../../api/client.js";
import type { Cents } from "../../api/ledger.js";

/** The query keys of the tariff pages: the book, one tariff. */
export const TARIFFS_KEY = ["tariffs"] as const;
export const tariffKey = (code: string) => [...TARIFFS_KEY, "tariff", code] as const;

/** residential | commercial | industrial | agricultural | lighting */
export const SECTORS = ["residential", "commercial", "industrial", "agricultural", "lighting"] as const;

/** One version's span: in force from effective_from until the next version's (null: still in force). */
export interface VersionSpan {
  effective_from: string;
  effective_to: string | null;
  /** The URDB record's label it was converted from (GET /tariffs/{code} only). */
  urdb_label?: string | null;
}

/** A tariff as the book lists it. */
export interface TariffSummary {
  code: string;
  name: string;
  sector: string;
  /** kilowatt (written in the Kilowatt format) | urdb (converted from a URDB record) */
  origin: string;
  time_zone: string;
  description: string | null;
  source_url: string | null;
  current: { effective_from: string } | null;
  versions: VersionSpan[];
  features: { baseline: boolean; time_of_use: boolean; demand: boolean };
}

/** Tiers of the tariff format: each but the last ends at its cumulative `up_to`. */
export interface Tier {
  price: string;
  label?: string;
  up_to?: Partial<Record<"baseline_percent" | "kwh_per_day" | "kwh_per_month" | "kwh_per_kw", string>>;
  up_to_kw?: string;
}

export interface ScheduleBlock {
  from: number;
  to: number;
  period: string;
}

export interface Schedule {
  periods: { name: string; label?: string }[];
  schedule: Record<string, { weekday: ScheduleBlock[]; weekend: ScheduleBlock[] }>;
  holidays?: (string | { month: number; weekday: string; nth: number })[];
}

/** A version object of the Kilowatt tariff format (docs/tariff-format.md), as far as the screens read it. */
export interface TariffVersionDoc {
  effective_from: string;
  rounding?: string;
  seasons?: { name: string; label?: string; from: string }[];
  customer_charge?: { price: string; per: string; label?: string };
  minimum_charge?: { price: string; per: string; applies_to?: string[] };
  baseline?: {
    kwh_per_day?: Record<string, Record<string, string>>;
    medical_kwh_per_day?: string;
    medical_kwh_per_month?: string;
  };
  time_of_use?: Schedule;
  energy: Record<string, Tier[] | Record<string, Tier[]>>;
  baseline_credit?: { price: string; label?: string };
  demand?: Record<string, Record<string, Tier[]>>;
  demand_schedule?: Schedule;
  surcharges?: { name: string; label?: string; price_per_kwh: string }[];
  discounts?: { name: string; label?: string; program: string; percent: string; applies_to?: string[] }[];
  credits?: { name: string; label?: string; amount: string; months: number[] }[];
  taxes?: { name: string; label?: string; percent: string; applies_to?: string[] }[];
  [other: string]: unknown;
}

export interface TariffDocument {
  format: string;
  code: string;
  name: string;
  sector: string;
  time_zone?: string;
  description?: string;
  source?: string;
  versions: TariffVersionDoc[];
}

/** A tariff with its whole document (every version). */
export interface TariffDetail extends TariffSummary {
  document: TariffDocument;
}

/** One line of a quoted bill. */
export interface QuoteLine {
  description: string;
  quantity: string;
  unit: string;
  price: string;
  amount_cents: Cents;
  kind: string;
  rule: string;
}

export interface QuoteResult {
  tariff_code: string;
  versions: string[];
  from: string;
  to: string;
  days: number;
  kwh: string;
  lines: QuoteLine[];
  total_cents: Cents;
}

export interface QuoteRequest {
  tariff_code: string;
  from: string;
  to: string;
  kwh?: string;
  demand_kw?: string;
  intervals_csv?: string;
  territory?: string;
  care?: boolean;
  fera?: boolean;
  medical_baseline?: boolean;
}

export interface CompareRequest {
  sector: string;
  territory?: string;
  care?: boolean;
  fera?: boolean;
  months?: { from: string; to: string; kwh: string; demand_kw?: string }[];
  intervals_csv?: string;
}

export interface Comparison {
  rows: {
    tariff_code: string;
    name: string;
    total_cents: Cents;
    months: { from: string; to: string; total_cents: Cents }[];
    /** intervals | register | load_shape */
    basis: string;
  }[];
  refused: { tariff_code: string; reason: string }[];
}

export interface ImportAnswer {
  imported: { code: string; name: string; effective_from: string }[];
}

export const fetchTariffs = async (signal?: AbortSignal) =>
  (await api.get<{ items: TariffSummary[] }>("/api/v1/tariffs", { signal })).items;

export const fetchTariff = (code: string, signal?: AbortSignal) =>
  api.get<TariffDetail>(`/api/v1/tariffs/${encodeURIComponent(code)}`, { signal });

/** Adds a tariff from a Kilowatt tariff document. */
export const addTariff = (document: unknown) => api.post<TariffSummary>("/api/v1/tariffs", document);

/** Converts URDB rate records (one, an array, or { items }) into tariffs in the book. */
export const importUrdb = (records: unknown, code?: string) =>
  api.post<ImportAnswer>("/api/v1/tariffs/import-urdb", records, { query: { code: code || undefined } });

export const quoteBill = (body: QuoteRequest) => api.post<QuoteResult>("/api/v1/rates/quote", body);

export const compareRates = (body: CompareRequest) => api.post<Comparison>("/api/v1/rates/compare", body);
