import { type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";

/** Matches found so far, by party and by account, each with the best score (0..1) seen. */
export interface Hits {
  parties: Map<number, number>;
  accounts: Map<number, number>;
}

/** Records a match, keeping the better score when the same party or account matched before. */
export const addHit = (map: Map<number, number>, id: unknown, score: number) => {
  const key = Number(id);
  if ((map.get(key) ?? -1) < score) map.set(key, score);
};

/** A list passed as one array parameter (cast it in SQL: ::text[], ::bigint[]). */
export const arr = (values: readonly (string | number)[]) => sql.param(values);

export const rows = <T>(ctx: Ctx, query: SQL) => ctx.database.rows<T>(ctx.db, query);
