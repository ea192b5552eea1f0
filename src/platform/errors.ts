/** A field-level problem in a request. */
export interface FieldError {
  field: string;
  message: string;
}

/** An error that becomes an RFC 9457 problem+json response. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? title);
  }
}

export const badRequest = (detail: string, errors: FieldError[] = []) =>
  new Problem(400, "Bad request", detail, { errors });
/** Something named was not found; `field` names the request field that named it (a path or body id). */
export const notFound = (what: string, field?: string) =>
  new Problem(
    404,
    "Not found",
    `${what} was not found`,
    field ? { errors: [{ field, message: `${what} was not found` }] } : {},
  );
export const forbidden = (permission: string) =>
  new Problem(403, "Forbidden", `this needs the permission ${permission}`, { permission });
export const unauthorized = (detail = "sign in first") => new Problem(401, "Unauthorized", detail);
/** A stale edit: someone else changed the record since it was read. */
export const staleVersion = (what: string, current: unknown) =>
  new Problem(409, "Conflict", `${what} was changed by someone else since you read it`, { current });
export const conflict = (detail: string, extra: Record<string, unknown> = {}) =>
  new Problem(409, "Conflict", detail, extra);
/** A business rule refused the request. */
export const ruleRefused = (rule: string, detail: string, extra: Record<string, unknown> = {}) =>
  new Problem(422, "Refused by a rule", detail, { rule, ...extra });

/** Whether an error is the refusal of this rule. */
export const isRuleRefused = (err: unknown, rule: string) =>
  err instanceof Problem && err.status === 422 && err.extra.rule === rule;
