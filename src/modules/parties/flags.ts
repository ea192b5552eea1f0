import { and, eq } from "drizzle-orm";
import { audit } from "../../platform/audit.js";
import { type Ctx, inTx } from "../../platform/context.js";
import type { Db } from "../../platform/db.js";
import { badRequest, conflict, notFound, staleVersion } from "../../platform/errors.js";
import type { FlagChange, FlagInput } from "./inputs.js";
import { parties, partyFlags } from "./schema.js";
import { type FlagView, flagView } from "./view.js";

type Range = { flag: string; from: string; to: string | null };
// Both ends are days in force, so ranges touching on a day overlap.
const overlaps = (a: Range, b: Range) => a.from <= (b.to ?? "9999-12-31") && b.from <= (a.to ?? "9999-12-31");

/** Refuses a flag that overlaps another of the same kind on the party (one medical baseline at a time). */
function checkNoOverlap(candidate: Range, others: Range[], field: string) {
  const clash = others.find((o) => o.flag === candidate.flag && overlaps(candidate, o));
  if (clash) {
    throw conflict(`${candidate.flag} is already on file from ${clash.from}${clash.to ? ` to ${clash.to}` : ""}`, {
      errors: [{ field, message: "overlaps a flag of the same kind" }],
    });
  }
}

const rangeOf = (f: { flag: string; effectiveFrom: string; effectiveTo: string | null }): Range => ({
  flag: f.flag,
  from: f.effectiveFrom,
  to: f.effectiveTo,
});

/** Adds flags to a party inside the caller's transaction (after checking they do not overlap); `listed` when they came as a list. */
export async function insertFlags(db: Db, partyId: number, flags: readonly FlagInput[], listed = true) {
  if (flags.length === 0) return [];
  const existing = (await db.select().from(partyFlags).where(eq(partyFlags.partyId, partyId))).map(rangeOf);
  const ranges: Range[] = [];
  flags.forEach((f, i) => {
    const range = { flag: f.flag, from: f.effective_from, to: f.effective_to ?? null };
    const at = listed ? `flags.${i}.` : "";
    if (range.to && range.to < range.from) {
      throw badRequest("a flag ends before it starts", [
        { field: `${at}effective_to`, message: "before effective_from" },
      ]);
    }
    checkNoOverlap(range, [...existing, ...ranges], `${at}effective_from`);
    ranges.push(range);
  });
  return db
    .insert(partyFlags)
    .values(
      flags.map((f) => ({
        partyId,
        flag: f.flag,
        effectiveFrom: f.effective_from,
        effectiveTo: f.effective_to ?? null,
        recertifyBy: f.recertify_by ?? null,
        note: f.note ?? null,
      })),
    )
    .returning();
}

async function requireParty(db: Db, partyId: number) {
  const [row] = await db.select({ id: parties.id }).from(parties).where(eq(parties.id, partyId)).for("update");
  if (!row) throw notFound(`party ${partyId}`, "id");
}

/** The flags of a party, latest first. */
export async function listFlags(ctx: Ctx, partyId: number): Promise<FlagView[]> {
  const [party] = await ctx.db.select({ id: parties.id }).from(parties).where(eq(parties.id, partyId));
  if (!party) throw notFound(`party ${partyId}`, "id");
  const rows = await ctx.db.select().from(partyFlags).where(eq(partyFlags.partyId, partyId));
  const onDate = ctx.clock.today().toString();
  return rows
    .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom) || a.id - b.id)
    .map((f) => flagView(f, onDate));
}

/** Puts a flag on a party (medical baseline, life support, ...) with its dates. */
export async function addFlag(ctx: Ctx, partyId: number, input: FlagInput): Promise<FlagView> {
  return inTx(ctx, async (tx) => {
    // Locking the party serialises flag edits, so two clerks cannot add overlapping flags at once.
    await requireParty(tx.db, partyId);
    const [row] = await insertFlags(tx.db, partyId, [input], false);
    const view = flagView(row!, ctx.clock.today().toString());
    await audit(tx, { action: "party.flag_add", entityType: "party", entityId: partyId, after: view });
    return view;
  });
}

/** Changes a flag's dates or note (ending it, recording a recertification) with the version read. */
export async function updateFlag(ctx: Ctx, partyId: number, flagId: number, change: FlagChange): Promise<FlagView> {
  const onDate = ctx.clock.today().toString();
  return inTx(ctx, async (tx) => {
    await requireParty(tx.db, partyId);
    const rows = await tx.db.select().from(partyFlags).where(eq(partyFlags.partyId, partyId));
    const row = rows.find((r) => r.id === flagId);
    if (!row) throw notFound(`flag ${flagId} of party ${partyId}`, "flag_id");
    if (row.version !== change.version) throw staleVersion(`flag ${flagId}`, flagView(row, onDate));
    const next = {
      effectiveFrom: change.effective_from ?? row.effectiveFrom,
      effectiveTo: change.effective_to === undefined ? row.effectiveTo : change.effective_to,
      recertifyBy: change.recertify_by === undefined ? row.recertifyBy : change.recertify_by,
      note: change.note === undefined ? row.note : change.note,
    };
    if (next.effectiveTo && next.effectiveTo < next.effectiveFrom) {
      throw badRequest("the flag would end before it starts", [
        { field: "effective_to", message: "before effective_from" },
      ]);
    }
    checkNoOverlap(
      rangeOf({ flag: row.flag, ...next }),
      rows.filter((r) => r.id !== flagId).map(rangeOf),
      "effective_from",
    );
    const [after] = await tx.db
      .update(partyFlags)
      .set({ ...next, version: row.version + 1 })
      .where(and(eq(partyFlags.id, flagId), eq(partyFlags.partyId, partyId)))
      .returning();
    const view = flagView(after!, onDate);
    await audit(tx, {
      action: "party.flag_update",
      entityType: "party",
      entityId: partyId,
      before: flagView(row, onDate),
      after: view,
    });
    return view;
  });
}
