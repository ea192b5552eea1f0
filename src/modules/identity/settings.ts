import { z } from "zod";
import { defineSetting } from "../../platform/settings.js";

export const lockoutThreshold = defineSetting({
  key: "identity.lockout.failed_attempts",
  description: "Failed sign-ins in a row that lock a user out",
  schema: z.number().int().min(1).max(100),
  default: 5,
});

export const lockoutMinutes = defineSetting({
  key: "identity.lockout.minutes",
  description: "How long a locked-out user must wait before signing in again",
  schema: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  default: 15,
});

export const loginRatePerMinute = defineSetting({
  key: "identity.login.rate_per_minute",
  description: "Sign-in attempts allowed from one address per minute",
  schema: z.number().int().min(1).max(10_000),
  default: 20,
});

export const sessionHours = defineSetting({
  key: "identity.session.hours",
  description: "How long a session lasts after sign-in",
  schema: z
    .number()
    .int()
    .min(1)
    .max(24 * 14),
  default: 12,
});
