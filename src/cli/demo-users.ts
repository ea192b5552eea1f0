import { createUser, listUsers, ROLE_NAMES } from "../modules/identity/index.js";
import type { Ctx } from "../platform/context.js";
import { say } from "./runtime.js";

/** Demo data only: one user per role, named after it, password kilowatt-demo. */
export const DEMO_PASSWORD = "kilowatt-demo";

export async function seedDemoUsers(ctx: Ctx) {
  const existing = new Set((await listUsers(ctx.db)).map((u) => u.username));
  const missing = ROLE_NAMES.filter((r) => !existing.has(r));
  for (const role of missing) {
    await createUser(ctx, {
      username: role,
      display_name: `Demo ${role.replace("_", " ")}`,
      password: DEMO_PASSWORD,
      roles: [role],
    });
  }
  if (missing.length) say(`demo users created (password ${DEMO_PASSWORD}): ${missing.join(", ")}`);
}
