import type { Ctx } from "../../platform/context.js";
import { namedAtPlace } from "./at-place.js";
import { classify } from "./classify.js";
import type { Hits } from "./hits.js";
import { nameHits } from "./names.js";
import { addressHits, codeHits, digitHits, emailHits, toAccounts } from "./queries.js";

/** One search result: an account, its main customer's name and where it is served. */
export interface SearchResult {
  account_id: number;
  account_number: string;
  name: string;
  service_address: string | null;
}

/** Finds accounts by name, business name, account number, phone, email, address, meter number or identity last four; best first, one per account. */
export async function search(ctx: Ctx, q: string, limit: number): Promise<SearchResult[]> {
  const plan = classify(q);
  const hits: Hits = { parties: new Map(), accounts: new Map() };
  switch (plan.kind) {
    case "email":
      await emailHits(ctx, plan.email, limit, hits);
      break;
    case "digits":
      await digitHits(ctx, plan.digits, limit, hits);
      break;
    case "code":
      await codeHits(ctx, plan.code, limit, hits);
      break;
    case "address":
      await addressHits(ctx, plan, limit, hits);
      break;
    case "name":
      // A name with an address narrows to the accounts at that house number; a misheard number falls back to the name.
      if (plan.place && plan.words.length && (await namedAtPlace(ctx, plan, plan.place, hits)) > 0) break;
      if (plan.words.length) await nameHits(ctx, plan, limit, hits);
      break;
  }
  return toAccounts(ctx, hits, limit);
}
