import { api, request } from "./client.js";

/** One dated version of a setting: its value from `effective_from` on (to `effective_to`, inclusive, if set). */
export interface SettingVersion {
  effective_from: string;
  /** The last day of a temporary version; after it the version before applies again. null: open-ended. */
  effective_to: string | null;
  value: unknown;
  version: number;
  updated_by: string;
  updated_at: string;
}

/** A setting as the API shows it: what it is, its shipped default, the value in force today and its schedule. */
export interface Setting {
  key: string;
  description: string;
  default: unknown;
  /** The value in force on today's business date (a dated version, else the default). */
  current: unknown;
  /** The dated versions, earliest first. */
  schedule: SettingVersion[];
}

/** A new dated version, or (with the `version` read) a change to the one from `effective_from`. */
export interface SettingChange {
  effective_from: string;
  effective_to?: string | null;
  value: unknown;
  version?: number;
}

export const PROFILES = ["municipal", "iou"] as const;
export type ProfileName = (typeof PROFILES)[number];

/** The policy profiles' titles, as the server names them (src/modules/policy/rules.ts). */
export const PROFILE_TITLES: Record<ProfileName, string> = {
  municipal: "California publicly owned (municipal) utility",
  iou: "California investor-owned utility (CPUC rules)",
};

export const settingKeys = {
  all: ["settings"] as const,
  list: () => ["settings", "list"] as const,
  one: (key: string) => ["settings", "one", key] as const,
};

const path = (key: string) => `/api/v1/settings/${encodeURIComponent(key)}`;

/** Every setting with its value today and its schedule (permission settings.read). */
export const listSettings = (signal?: AbortSignal) => api.get<{ settings: Setting[] }>("/api/v1/settings", { signal });

/** One setting (permission settings.read). */
export const fetchSetting = (key: string, signal?: AbortSignal) => api.get<Setting>(path(key), { signal });

/**
 * Adds a dated version, or changes the one from `effective_from` (send its `version`: a stale one is a 409). A value
 * the setting's rules refuse is a 400 naming the place in it ("value.deposit.multiple"); a range colliding with
 * another version's is a 422 with the rule settings.overlap, naming the other version (permission settings.manage).
 */
export const putSetting = (key: string, change: SettingChange) => request<Setting>("PUT", path(key), { body: change });
