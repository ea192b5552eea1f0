/** A problem+json body (RFC 9457) as the API sends it. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  request_id?: string;
  errors?: { field: string; message: string }[];
  retry_after?: number;
  [extra: string]: unknown;
}

/** A refused or failed request. status 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds to wait before trying again (429), from the body or the Retry-After header. */
    readonly retryAfter?: number,
  ) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
  }
}

// The session's CSRF token lives in memory only: a page reload asks GET /api/v1/auth/session for it again.
let csrfToken: string | null = null;

/** Remembers (or forgets) the CSRF token that cookie-session writes must carry. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** Extra request headers (an Idempotency-Key). */
  headers?: Record<string, string>;
}

function urlOf(path: string, query: RequestOptions["query"]) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function problemOf(res: Response): Promise<Problem> {
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const body = (await res.json()) as Partial<Problem>;
      return { ...body, title: body.title ?? res.statusText, status: body.status ?? res.status };
    } catch {
      // fall through to a generic problem
    }
  }
  return { title: res.statusText || "Request failed", status: res.status, detail: `the server answered ${res.status}` };
}

/** Calls the API on this origin with the session cookie; a non-2xx answer throws an ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (WRITES.has(method) && csrfToken) headers["x-csrf-token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(urlOf(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: "same-origin",
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, { title: "No connection", status: 0, detail: "the server cannot be reached; try again" });
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    const header = Number(res.headers.get("retry-after"));
    const retryAfter = problem.retry_after ?? (Number.isFinite(header) && header > 0 ? header : undefined);
    throw new ApiError(res.status, problem, retryAfter);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("POST", path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PATCH", path, { ...opts, body }),
};

/** The API's per-field complaints (errors[]) by field, for a form to show beside each field (the last one said). */
export function fieldErrorsOf<F extends string>(err: unknown): Partial<Record<F, string>> {
  if (!(err instanceof ApiError)) return {};
  const errors: Partial<Record<F, string>> = {};
  for (const e of err.problem.errors ?? []) errors[e.field as F] = e.message;
  return errors;
}
