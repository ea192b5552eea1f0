import { z } from "zod";

export const DRAWER_STATUSES = ["open", "closed", "signed_off"] as const;
export type DrawerStatus = (typeof DRAWER_STATUSES)[number];

/** Money counted or kept in a drawer: a whole number of cents, zero or more. */
const countedCents = z
  .number()
  .int("whole cents")
  .min(0, "zero or more")
  .max(99_999_999_999, "at most 99,999,999,999 cents");
const itemCount = z.number().int("a whole number").min(0, "zero or more").max(100_000);
const note = z.string().trim().max(1000);

/** Opens the caller's cash drawer: where it is and the float it starts with (from the change fund). */
export const openDrawerInput = z.strictObject({
  location: z.string().trim().min(1, "say where the drawer is (a counter, an office)").max(100),
  float_cents: countedCents.max(10_000_000, "at most 10,000,000 cents ($100,000.00)"),
});
export type OpenDrawerInput = z.infer<typeof openDrawerInput>;

/** What was counted in the drawer, by tender. Cash includes the float; checks and money orders may be counted too. */
export const closeDrawerInput = z.strictObject({
  counts: z.strictObject({
    cash: z.strictObject({ counted_cents: countedCents }),
    check: z.strictObject({ counted_cents: countedCents, count: itemCount.optional() }),
    money_order: z.strictObject({ counted_cents: countedCents, count: itemCount.optional() }),
  }),
  /** Why the drawer is over or short (required then). */
  note: note.optional(),
  /** The `version` read, to refuse a close over a drawer changed since (optional). */
  version: z.number().int().positive().optional(),
});
export type CloseDrawerInput = z.infer<typeof closeDrawerInput>;

export const signOffInput = z.strictObject({
  note: note.optional(),
  version: z.number().int().positive().optional(),
});
export type SignOffInput = z.infer<typeof signOffInput>;

export const drawerListQuery = z.object({
  status: z.enum(DRAWER_STATUSES).optional(),
  /** The business date the drawers were opened on. */
  date: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type DrawerListQuery = z.infer<typeof drawerListQuery>;
