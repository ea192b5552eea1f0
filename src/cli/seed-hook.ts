import type { Ctx } from "../platform/context.js";
import { seedDemoUsers } from "./demo-users.js";

/** On first start: demo users, and a synthetic utility when there are no accounts yet. */
export async function seedIfEmpty(ctx: Ctx, _accounts: number) {
  await seedDemoUsers(ctx);
}
