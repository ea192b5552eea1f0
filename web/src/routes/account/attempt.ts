import { useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { newIdempotencyKey } from "../../api/payments.js";

/**
 * Whether a failed money request may have moved money after all: no answer (the connection dropped), a server
 * error, or 409 (the same key still running). Anything else is a refusal that moved nothing.
 */
export function mayHavePosted(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 409 || err.status >= 500;
}

/**
 * One attempt at a money-moving request and its Idempotency-Key. A new attempt gets a fresh key; after a failure
 * that may have posted, the attempt is `uncertain`: its body is frozen and sending again reuses the key, so the
 * server answers with the first result instead of moving the money twice. A refusal ends the attempt.
 */
export function useMoneyAttempt<B>() {
  const attempt = useRef<{ key: string; body: B } | null>(null);
  const [uncertain, setUncertain] = useState(false);
  return {
    uncertain,
    /** The key and body to send: the frozen ones on a retry, else a fresh key for this body. */
    next(body: B): { key: string; body: B } {
      if (!(uncertain && attempt.current)) attempt.current = { key: newIdempotencyKey(), body };
      return attempt.current;
    },
    /** Records how the request ended. */
    settle(err?: unknown) {
      const unsure = err !== undefined && mayHavePosted(err);
      if (!unsure) attempt.current = null;
      setUncertain(unsure);
    },
    /** Forgets the attempt (the dialog closed or starts over). */
    reset() {
      attempt.current = null;
      setUncertain(false);
    },
  };
}
