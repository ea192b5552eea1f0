/**
 * Level pay through the ledger, so an account's receivables stay what the customer owes. A bill above the level
 * amount: a credit of the difference (kind level_pay_deferral) matched to that bill's items, debiting the level pay
 * deferred balance (GL). A bill below it: a charge of the difference (category level_pay), due with the bill,
 * crediting the same GL account. A settlement (true-up, leaving the plan) is a charge of what the customer owes on
 * the deferred balance, or a credit of what they paid ahead. The GL account's balance is the sum of the plans'
 * deferred balances.
 *
 * Set-based: the credits of a batch are one bulk posting, its charges another. A deferral goes in bulk when the
 * clearing rule (oldest due first) already pays the bill's own items with it; when the account has older open items
 * (it is behind) the deferral is posted on its own, directed at the bill's items, so it never pays the arrears.
 */
import { sql } from "drizzle-orm";
import type { Ctx } from "../../platform/context.js";
import { preparedRows } from "../../platform/prepared.js";
import {
  type BulkBillInput,
  type BulkCreditInput,
  type CreditKind,
  type ItemCategory,
  postBillsBulk,
  postCredit,
  postCreditsBulk,
} from "../ledger/index.js";

export const DEFERRAL_KIND: CreditKind = "level_pay_deferral";
export const LEVEL_PAY_CATEGORY: ItemCategory = "level_pay";

export type Posting =
  | {
      /** A credit to the account; matched to `items` in order when given, else oldest due first. */
      side: "credit";
      account_id: number;
      amount_cents: bigint;
      items?: number[];
      /** False: the account has older open items, so the credit is posted on its own, directed at `items`. */
      bulk: boolean;
      reference: string;
      description: string;
    }
  | {
      side: "charge";
      account_id: number;
      amount_cents: bigint;
      due_date: string;
      service_period: { from: string; to: string };
      reference: string;
      description: string;
    };

/** Posts the postings (each more than zero) in the caller's transaction; returns each one's journal entry id, in order. */
export async function postAll(tx: Ctx, postings: readonly Posting[]): Promise<number[]> {
  const entries: number[] = new Array(postings.length);
  const bulkCredits: { at: number; input: BulkCreditInput }[] = [];
  const directed: number[] = [];
  const charges: { at: number; input: BulkBillInput }[] = [];
  postings.forEach((p, at) => {
    if (p.amount_cents <= 0n) throw new Error(`a level pay posting of ${p.amount_cents} cents`);
    if (p.side === "charge") {
      charges.push({
        at,
        input: {
          account_id: p.account_id,
          reference: p.reference,
          description: p.description,
          due_date: p.due_date,
          service_period: p.service_period,
          charges: [{ category: LEVEL_PAY_CATEGORY, amount_cents: p.amount_cents, description: p.description }],
          credits: [],
          entry_kind: "charge",
        },
      });
    } else if (p.bulk || !p.items?.length) {
      bulkCredits.push({
        at,
        input: {
          account_id: p.account_id,
          kind: DEFERRAL_KIND,
          amount_cents: p.amount_cents,
          reference: p.reference,
          description: p.description,
        },
      });
    } else directed.push(at);
  });
  // Directed credits first: nothing else in the batch has touched their items yet. Of the items named, those still
  // open (a payment may have cleared some since they were read); none left, the credit clears oldest due first.
  const named = directed.flatMap((at) => (postings[at] as Extract<Posting, { side: "credit" }>).items ?? []);
  const open = new Set(
    named.length === 0
      ? []
      : (
          await preparedRows<{ id: bigint }>(
            tx,
            sql`SELECT id FROM receivable_items WHERE id = ANY(${sql.param(named)}::int8[]) AND open_cents > 0`,
          )
        ).map((r) => Number(r.id)),
  );
  for (const at of directed) {
    const p = postings[at] as Extract<Posting, { side: "credit" }>;
    const items = (p.items ?? []).filter((id) => open.has(id));
    const posted = await postCredit(tx, {
      account_id: p.account_id,
      kind: DEFERRAL_KIND,
      amount_cents: p.amount_cents,
      directed_item_ids: items.length ? items : undefined,
      reference: p.reference,
      description: p.description,
    });
    entries[at] = posted.entry_id;
  }
  const credited = await postCreditsBulk(
    tx,
    bulkCredits.map((c) => c.input),
  );
  credited.forEach((c, i) => {
    entries[bulkCredits[i]!.at] = c.entry_id;
  });
  const charged = await postBillsBulk(
    tx,
    charges.map((c) => c.input),
  );
  charged.forEach((c, i) => {
    entries[charges[i]!.at] = c.entry_id;
  });
  return entries;
}
