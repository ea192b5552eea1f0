/**
 * The facts collections decides on, gathered set-based: for a range of accounts, one statement finds every account
 * with a collectible past-due amount or a place in the dunning steps, with what protects it. The same statement
 * serves the daily run (a range of ids at a time) and the account's collections section (a range of one).
 */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import type { CollectionFacts, CollectionRules, Step } from "./steps.js";

type Row = {
  account_id: bigint;
  past_due: bigint;
  oldest_due: string | null;
  disputed: bigint;
  pre: bigint;
  step: Step | null;
  step_on: string | null;
  notice_on: string | null;
  disconnect_from: string | null;
  blocked_rule: string | null;
  order_status: string | null;
  dispute_id: bigint | null;
  dispute_on: string | null;
  dispute_reason: string | null;
  arrangement_id: bigint | null;
  arrangement_kind: string | null;
  arrangement_on: string | null;
  arrangement_next: string | null;
  medical_from: string | null;
  life_from: string | null;
  oldest_birth: string | null;
  heat_on: string | null;
  heat_f: number | null;
  heat_territory: string | null;
  pledge_id: bigint | null;
  pledge_agency: string | null;
  pledge_cents: bigint | null;
  pledge_expires: string | null;
  bankruptcy_id: bigint | null;
  chapter: number | null;
  petition_date: string | null;
  case_number: string | null;
  premise_id: bigint | null;
  account_number: string;
  notice_channel: string;
  restored: boolean | null;
};

/** A candidate's facts plus what the run needs to write (the premise for an order, the notice channel). */
export interface Candidate extends CollectionFacts {
  account_number: string;
  notice_channel: string;
  premise_id: number | null;
}

const num = (v: bigint | null) => (v === null ? null : Number(v));

/**
 * Every account in [from, to) with collectible past-due debt of at least `min` cents, or already in the dunning
 * steps, with its facts on the day. `min` is the policy's minimum for a reminder (0 for one account's own view).
 */
export async function gatherFacts(
  ctx: Ctx,
  range: { from: number; to: number },
  today: string,
  rules: CollectionRules,
  min: bigint,
): Promise<Candidate[]> {
  const heatDays = Math.ceil(rules.heat_window_hours / 24);
  const rows = await preparedRows<Row>(
    ctx,
    sql`WITH disputed AS (
          SELECT DISTINCT di.item_id FROM dispute_items AS di
          JOIN disputes AS d ON d.id = di.dispute_id AND d.status = 'open'
          WHERE di.account_id >= ${range.from}::int8 AND di.account_id < ${range.to}::int8),
        stayed AS (
          SELECT bi.item_id, sum(bi.pre_petition_cents) AS pre FROM bankruptcy_items AS bi
          JOIN bankruptcies AS b ON b.id = bi.bankruptcy_id AND b.status = 'open'
          WHERE bi.account_id >= ${range.from}::int8 AND bi.account_id < ${range.to}::int8
          GROUP BY bi.item_id),
        amp AS (
          SELECT ai.item_id, sum(ai.enrolled_cents) AS cents FROM amp_items AS ai
          JOIN amp_plans AS p ON p.id = ai.plan_id AND p.status = 'active'
          WHERE ai.account_id >= ${range.from}::int8 AND ai.account_id < ${range.to}::int8
          GROUP BY ai.item_id),
        due AS (
          SELECT i.account_id,
            coalesce(sum(i.open_cents - least(coalesce(st.pre, 0) + coalesce(am.cents, 0), i.open_cents))
              FILTER (WHERE dz.item_id IS NULL), 0) AS past_due,
            min(i.due_date) FILTER (WHERE dz.item_id IS NULL
              AND i.open_cents > coalesce(st.pre, 0) + coalesce(am.cents, 0)) AS oldest_due,
            coalesce(sum(i.open_cents) FILTER (WHERE dz.item_id IS NOT NULL), 0) AS disputed,
            coalesce(sum(least(coalesce(st.pre, 0), i.open_cents)) FILTER (WHERE dz.item_id IS NULL), 0) AS pre
          FROM receivable_items AS i
          LEFT JOIN disputed AS dz ON dz.item_id = i.id
          LEFT JOIN stayed AS st ON st.item_id = i.id
          LEFT JOIN amp AS am ON am.item_id = i.id
          WHERE i.account_id >= ${range.from}::int8 AND i.account_id < ${range.to}::int8
            AND i.open_cents > 0 AND i.due_date < ${today}::date
          GROUP BY i.account_id),
        owed AS (
          SELECT due.*, greatest(due.past_due - coalesce((
            SELECT sum(c.open_cents) FROM receivable_credits AS c
            WHERE c.account_id = due.account_id AND c.open_cents > 0), 0), 0)::int8 AS collectible
          FROM due),
        cand AS (
          SELECT coalesce(o.account_id, s.account_id) AS account_id, coalesce(o.collectible, 0)::int8 AS past_due,
            o.oldest_due, coalesce(o.disputed, 0)::int8 AS disputed, coalesce(o.pre, 0)::int8 AS pre,
            s.step, s.step_on, s.notice_on, s.disconnect_from, s.blocked_rule, s.order_id
          FROM owed AS o
          FULL JOIN (SELECT * FROM collection_states
                     WHERE account_id >= ${range.from}::int8 AND account_id < ${range.to}::int8) AS s
            ON s.account_id = o.account_id
          WHERE s.account_id IS NOT NULL OR o.collectible >= ${min}::int8)
        SELECT cand.account_id, cand.past_due, cand.oldest_due::text AS oldest_due, cand.disputed, cand.pre,
          cand.step, cand.step_on::text AS step_on, cand.notice_on::text AS notice_on,
          cand.disconnect_from::text AS disconnect_from, cand.blocked_rule, so.status AS order_status,
          dsp.id AS dispute_id, dsp.opened_on::text AS dispute_on, dsp.reason AS dispute_reason,
          ar.id AS arrangement_id, ar.kind AS arrangement_kind, ar.opened_on::text AS arrangement_on,
          ar.next_due::text AS arrangement_next,
          least(fl.medical_flag, en.medical_enrolled)::text AS medical_from, fl.life_from::text AS life_from,
          pt.oldest_birth::text AS oldest_birth,
          ht.forecast_on::text AS heat_on, ht.high_f AS heat_f, ht.territory AS heat_territory,
          pl.id AS pledge_id, pl.agency AS pledge_agency, pl.amount_cents AS pledge_cents,
          pl.expires_on::text AS pledge_expires,
          bk.id AS bankruptcy_id, bk.chapter, bk.petition_date::text AS petition_date, bk.case_number,
          pm.premise_id, a.account_number, a.notice_channel,
          (cand.step = 'disconnected' AND EXISTS (
            SELECT 1 FROM service_orders AS r WHERE r.account_id = cand.account_id AND r.kind = 'reconnect'
              AND r.status = 'completed' AND r.id > cand.order_id)) AS restored
        FROM cand
        JOIN accounts AS a ON a.id = cand.account_id AND a.status <> 'closed'
        LEFT JOIN service_orders AS so ON so.id = cand.order_id
        LEFT JOIN LATERAL (
          SELECT d.id, d.opened_on, d.reason FROM disputes AS d
          WHERE d.account_id = cand.account_id AND d.status = 'open'
            AND NOT EXISTS (SELECT 1 FROM dispute_items AS di WHERE di.dispute_id = d.id)
          ORDER BY d.id LIMIT 1) AS dsp ON true
        LEFT JOIN LATERAL (
          SELECT x.id, x.kind, x.opened_on,
            (SELECT min(ai.due_on) FROM arrangement_installments AS ai
             WHERE ai.arrangement_id = x.id AND ai.due_on >= ${today}::date) AS next_due
          FROM arrangements AS x
          WHERE x.account_id = cand.account_id AND x.status = 'active'
          ORDER BY x.id LIMIT 1) AS ar ON true
        LEFT JOIN LATERAL (
          SELECT array_agg(ap.party_id) AS ids, min(p.date_of_birth) AS oldest_birth
          FROM account_parties AS ap JOIN parties AS p ON p.id = ap.party_id
          WHERE ap.account_id = cand.account_id) AS pt ON true
        LEFT JOIN LATERAL (
          SELECT min(f.effective_from) FILTER (WHERE f.flag = 'life_support') AS life_from,
                 min(f.effective_from) FILTER (WHERE f.flag = 'medical_baseline') AS medical_flag
          FROM party_flags AS f
          WHERE f.party_id = ANY (pt.ids) AND f.flag IN ('life_support', 'medical_baseline')
            AND f.effective_from <= ${today}::date
            AND (f.effective_to IS NULL OR f.effective_to >= ${today}::date)) AS fl ON true
        LEFT JOIN LATERAL (
          SELECT min(e.effective_from) AS medical_enrolled FROM enrolments AS e
          WHERE e.account_id = cand.account_id AND e.program = 'medical_baseline'
            AND e.effective_from <= ${today}::date
            AND (e.effective_to IS NULL OR e.effective_to >= ${today}::date)) AS en ON true
        LEFT JOIN LATERAL (
          SELECT sp.premise_id, pr.baseline_territory FROM service_agreements AS sa
          JOIN service_points AS sp ON sp.id = sa.service_point_id
          JOIN premises AS pr ON pr.id = sp.premise_id
          WHERE sa.account_id = cand.account_id AND sa.status = 'active'
          ORDER BY sa.start_date, sa.id LIMIT 1) AS pm ON true
        LEFT JOIN LATERAL (
          SELECT h.forecast_on, h.high_f, h.territory FROM heat_forecasts AS h
          WHERE h.territory = pm.baseline_territory
            AND h.forecast_on BETWEEN ${today}::date AND ${today}::date + ${heatDays}::int4
          ORDER BY h.high_f DESC, h.forecast_on LIMIT 1) AS ht ON true
        LEFT JOIN LATERAL (
          SELECT x.id, x.agency, x.amount_cents, x.expires_on FROM assistance_pledges AS x
          WHERE x.account_id = cand.account_id AND x.status = 'pending' AND x.expires_on >= ${today}::date
          ORDER BY x.id LIMIT 1) AS pl ON true
        LEFT JOIN LATERAL (
          SELECT x.id, x.chapter, x.petition_date, x.case_number FROM bankruptcies AS x
          WHERE x.account_id = cand.account_id AND x.status = 'open'
          ORDER BY x.id LIMIT 1) AS bk ON true
        ORDER BY cand.account_id`,
  );
  return rows.map((r) => ({
    account_id: Number(r.account_id),
    account_number: r.account_number,
    notice_channel: r.notice_channel,
    premise_id: num(r.premise_id),
    past_due_cents: BigInt(r.past_due),
    oldest_due: r.oldest_due,
    disputed_cents: BigInt(r.disputed),
    pre_petition_cents: BigInt(r.pre),
    restored: r.restored === true,
    state: r.step
      ? {
          step: r.step,
          step_on: r.step_on!,
          notice_on: r.notice_on,
          disconnect_from: r.disconnect_from,
          blocked_rule: r.blocked_rule,
          order_status: r.order_status,
        }
      : null,
    dispute:
      r.dispute_id === null ? null : { id: Number(r.dispute_id), opened_on: r.dispute_on!, reason: r.dispute_reason! },
    arrangement:
      r.arrangement_id === null
        ? null
        : {
            id: Number(r.arrangement_id),
            kind: r.arrangement_kind!,
            opened_on: r.arrangement_on!,
            next_due: r.arrangement_next,
          },
    medical_baseline_from: r.medical_from,
    life_support_from: r.life_from,
    oldest_birth: r.oldest_birth,
    heat: r.heat_on === null ? null : { on: r.heat_on, high_f: r.heat_f!, territory: r.heat_territory! },
    pledge:
      r.pledge_id === null
        ? null
        : {
            id: Number(r.pledge_id),
            agency: r.pledge_agency!,
            amount_cents: BigInt(r.pledge_cents!),
            expires_on: r.pledge_expires!,
          },
    bankruptcy:
      r.bankruptcy_id === null
        ? null
        : {
            id: Number(r.bankruptcy_id),
            chapter: r.chapter!,
            petition_date: r.petition_date!,
            case_number: r.case_number!,
          },
  }));
}
