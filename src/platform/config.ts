import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Runtime configuration, read once from the environment. */
export interface Config {
  /** PostgreSQL server URL; absent means the embedded engine. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  timezone: string;
  /** 32-byte key for identity numbers (AES-256-GCM) and their keyed hashes. */
  dataKey: Buffer;
  /** Business clock start instant (ISO 8601), if set. */
  now: string | undefined;
  logLevel: string;
  /** Run background job workers in this process (KILOWATT_WORKERS=off for API-only servers). */
  workers: boolean;
  /** The SMTP server notices are emailed through (KILOWATT_SMTP_URL); absent: email notices go by mail. */
  smtpUrl?: string;
  /** The sender of emails (KILOWATT_MAIL_FROM), an address or `Name <address>`. */
  mailFrom?: string;
}

function parseKey(raw: string, source: string): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32)
    throw new Error(`${source}: expected 32 bytes as 64 hex digits or base64, got ${key.length} bytes`);
  return key;
}

/** The data key: KILOWATT_DATA_KEY, else (embedded mode) a key file created in the data dir on first start. */
function resolveDataKey(env: NodeJS.ProcessEnv, dataDir: string, embedded: boolean): Buffer {
  if (env.KILOWATT_DATA_KEY) return parseKey(env.KILOWATT_DATA_KEY, "KILOWATT_DATA_KEY");
  if (!embedded) {
    throw new Error("KILOWATT_DATA_KEY is required with DATABASE_URL (64 hex digits; see docs/configuration.md)");
  }
  const file = path.join(dataDir, "data.key");
  if (existsSync(file)) return parseKey(readFileSync(file, "utf8"), file);
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex"), { mode: 0o600, flag: "wx" });
  return key;
}

function parseWorkers(raw: string | undefined): boolean {
  if (raw === undefined || raw === "" || raw === "on") return true;
  if (raw === "off") return false;
  throw new Error(`KILOWATT_WORKERS: on or off, not ${raw}`);
}

/** KILOWATT_SMTP_URL, checked without ever repeating it (it may hold a password). */
function parseSmtpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error("KILOWATT_SMTP_URL: not a URL; expected smtp://user:password@host:587 or smtps://host:465");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new Error(`KILOWATT_SMTP_URL: the scheme must be smtp: or smtps:, not ${url.protocol}`);
  }
  if (!url.hostname) throw new Error("KILOWATT_SMTP_URL: no host name");
  return raw;
}

const ADDRESS = /^[^\s<>@"]+@[^\s<>@"]+\.[^\s<>@"]+$/;

function parseMailFrom(raw: string | undefined, smtpUrl: string | undefined): string | undefined {
  const from = raw?.trim() || undefined;
  if (!from) {
    if (smtpUrl)
      throw new Error("KILOWATT_MAIL_FROM is required with KILOWATT_SMTP_URL (e.g. Notices <notices@utility.example>)");
    return undefined;
  }
  const bracketed = /^[^<>]*<([^<>]+)>$/.exec(from);
  if (!ADDRESS.test(bracketed ? bracketed[1]!.trim() : from)) {
    throw new Error(`KILOWATT_MAIL_FROM: not an email address or Name <address>: ${from}`);
  }
  return from;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.KILOWATT_DATA_DIR ?? "data");
  const databaseUrl = env.DATABASE_URL || undefined;
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT: not a port number: ${env.PORT}`);
  const timezone = env.KILOWATT_TIMEZONE ?? "America/Los_Angeles";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new Error(`KILOWATT_TIMEZONE: unknown time zone ${timezone}`);
  }
  if (env.KILOWATT_NOW && Number.isNaN(Date.parse(env.KILOWATT_NOW))) {
    throw new Error(`KILOWATT_NOW: not an ISO 8601 instant: ${env.KILOWATT_NOW}`);
  }
  const smtpUrl = parseSmtpUrl(env.KILOWATT_SMTP_URL);
  return {
    databaseUrl,
    dataDir,
    port,
    host: env.HOST ?? "0.0.0.0",
    timezone,
    dataKey: resolveDataKey(env, dataDir, !databaseUrl),
    now: env.KILOWATT_NOW || undefined,
    logLevel: env.LOG_LEVEL ?? "info",
    workers: parseWorkers(env.KILOWATT_WORKERS),
    smtpUrl,
    mailFrom: parseMailFrom(env.KILOWATT_MAIL_FROM, smtpUrl),
  };
}
