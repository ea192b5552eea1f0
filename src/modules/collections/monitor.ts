/**
 * Arrangements watched every day, set-based: one paid in full is completed; one whose installments due (past the
 * grace days) are not paid, or whose account lets a newer bill go unpaid past the grace days, is broken, with a
 * notice, and collection resumes where it stood.
 */
import { sql } from "drizzle-orm";
import { formatCents } from "../../core/money.js";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import type { CollectionRules } from "./steps.js";

type Watched = {
  id: bigint;
  account_id: bigint;
  kind: string;
  total: bigint;
  required: bigint;
  paid: bigint;
  late_since: string | null;
  notice_channel: string;
};

/** Completes and breaks arrangements as of the day; returns how many of each. */
export async function monitorArrangements(
  tx: Ctx,
  today: string,
  rules: CollectionRules,
): Promise<{ broken: number; completed: number }> {
  const grace = rules.arrangement_grace_days;
  const rows = await preparedRows<Watched>(
    tx,
    sql`WITH a AS (
          SELECT x.id, x.account_id, x.kind, acc.notice_channel,
            (SELECT coalesce(sum(i.amount_cents), 0) FROM arrangement_installments AS i
             WHERE i.arrangement_id = x.id)::int8 AS total,
            (SELECT coalesce(sum(i.amount_cents), 0) FROM arrangement_installments AS i
             WHERE i.arrangement_id = x.id AND i.due_on + ${grace}::int4 < ${today}::date)::int8 AS required,
            (SELECT coalesce(sum(ai.covered_cents - least(ri.open_cents, ai.covered_cents)), 0)
             FROM arrangement_items AS ai JOIN receivable_items AS ri ON ri.id = ai.item_id
             WHERE ai.arrangement_id = x.id)::int8 AS paid,
            (SELECT min(ri.due_date) FROM receivable_items AS ri
             WHERE ri.account_id = x.account_id AND ri.open_cents > 0
               AND ri.due_date + ${grace}::int4 < ${today}::date
               AND NOT EXISTS (SELECT 1 FROM arrangement_items AS ai
                               WHERE ai.arrangement_id = x.id AND ai.item_id = ri.id))::text AS late_since
          FROM arrangements AS x JOIN accounts AS acc ON acc.id = x.account_id
          WHERE x.status = 'active' AND x.opened_on <= ${today}::date)
        SELECT * FROM a WHERE paid >= total OR paid < required OR late_since IS NOT NULL
        ORDER BY id`,
  );
  if (rows.length === 0) return { broken: 0, completed: 0 };
  const closed = rows.map((r) => {
    const what = r.kind === "extension" ? `Extension ${r.id}` : `Payment arrangement ${r.id}`;
    if (r.paid >= r.total) {
      return {
        r,
        status: "completed",
        kind: "arrangement_completed",
        rule: `collections.${r.kind}.completed`,
        says: `${what} completed: ${formatCents(r.total)} paid.`,
      };
    }
    const why =
      r.paid < r.required
        ? `${formatCents(r.paid)} paid of the ${formatCents(r.required)} due more than ${grace} days ago`
        : `the bill due ${r.late_since} is unpaid more than ${grace} days later`;
    return {
      r,
      status: "broken",
      kind: "arrangement_broken",
      rule: `collections.${r.kind}.broken`,
      says: `${what} broken: ${why}. Collection resumes.`,
    };
  });
  const p = <T>(f: (c: (typeof closed)[number]) => T) => sql.param(closed.map(f));
  await preparedRows(
    tx,
    sql`UPDATE arrangements AS x SET status = c.status, closed_on = ${today}::date, closed_reason = c.says,
          version = x.version + 1
        FROM unnest(${p((c) => c.r.id.toString())}::int8[], ${p((c) => c.status)}::text[], ${p((c) => c.says)}::text[])
          AS c(id, status, says)
        WHERE x.id = c.id`,
  );
  await preparedRows(
    tx,
    sql`INSERT INTO collection_events (account_id, on_date, kind, rule_id, explanation, facts, past_due_cents, channel)
        SELECT c.account, ${today}::date, c.kind, c.rule, c.says, c.facts::jsonb, c.cents, c.channel
        FROM unnest(${p((c) => c.r.account_id.toString())}::int8[], ${p((c) => c.kind)}::text[],
                    ${p((c) => c.rule)}::text[], ${p((c) => c.says)}::text[],
                    ${p((c) => JSON.stringify({ arrangement_id: Number(c.r.id), total_cents: c.r.total.toString(), required_cents: c.r.required.toString(), paid_cents: c.r.paid.toString(), late_since: c.r.late_since }))}::text[],
                    ${p((c) => (c.r.total - c.r.paid).toString())}::int8[],
                    ${p((c) => (c.status === "broken" ? c.r.notice_channel : null))}::text[])
          AS c(account, kind, rule, says, facts, cents, channel)
        ON CONFLICT (account_id, kind, on_date) DO NOTHING`,
  );
  const broken = closed.filter((c) => c.status === "broken").length;
  return { broken, completed: closed.length - broken };
}
