import type { QueryClient } from "@tanstack/react-query";
import { moneyKey } from "../../api/ledger.js";

/** After money moved on these accounts: their balances, items, ledger, payments, account view and audit reload. */
export async function refreshMoney(client: QueryClient, accountIds: number[]) {
  await Promise.all(
    [...new Set(accountIds)].flatMap((id) => [
      client.invalidateQueries({ queryKey: moneyKey(id) }),
      client.invalidateQueries({ queryKey: ["account", id] }),
      client.invalidateQueries({ queryKey: ["audit", id] }),
    ]),
  );
}
