/**
 * The clearing rule, without I/O: which open items a credit pays, and in what order.
 * Collectible before held (an item stayed in bankruptcy or enrolled in arrearage management is paid last), then
 * oldest due first: billed items by due date, then unbilled items (no due date yet); ties by the date posted and
 * then by id, so the order is total and the same on every run.
 */

export interface OpenItem {
  id: number;
  open_cents: bigint;
  due_date: string | null;
  accounting_date: string;
  /** Held from collection (bankruptcy stay, arrearage management): paid after every other item. */
  clears_last?: boolean;
}

export interface OpenCredit {
  id: number;
  open_cents: bigint;
}

export interface Match {
  item_id: number;
  credit_id: number;
  amount_cents: bigint;
}

/**
 * Items in clearing order: items held from collection after all others; then due date ascending (unbilled last),
 * then accounting date, then id.
 */
export function clearingOrder<T extends OpenItem>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => {
    if (Boolean(a.clears_last) !== Boolean(b.clears_last)) return a.clears_last ? 1 : -1;
    if (a.due_date !== b.due_date) {
      if (a.due_date === null) return 1;
      if (b.due_date === null) return -1;
      return a.due_date < b.due_date ? -1 : 1;
    }
    if (a.accounting_date !== b.accounting_date) return a.accounting_date < b.accounting_date ? -1 : 1;
    return a.id - b.id;
  });
}

const smaller = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Matches credits (oldest first, in the order given) to items (in the order given), each as far as it goes.
 * Returns the matches; nothing is matched beyond either side's open amount.
 */
export function matchCredits(credits: readonly OpenCredit[], items: readonly OpenItem[]): Match[] {
  const matches: Match[] = [];
  const itemLeft = items.map((i) => i.open_cents);
  let next = 0;
  for (const credit of credits) {
    let left = credit.open_cents;
    while (left > 0n && next < items.length) {
      const take = smaller(left, itemLeft[next]!);
      if (take > 0n) {
        matches.push({ item_id: items[next]!.id, credit_id: credit.id, amount_cents: take });
        left -= take;
        itemLeft[next] = itemLeft[next]! - take;
      }
      if (itemLeft[next] === 0n) next++;
    }
    if (next >= items.length) break;
  }
  return matches;
}
