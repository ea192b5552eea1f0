import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, useRef, useState } from "react";
import { ApiError } from "../../api/client.js";
import { newIdempotencyKey } from "../../api/payments.js";
import { mayHavePosted } from "../account/attempt.js";
import { money } from "../account/money.js";
import { accountNumberProblem, amountText, readAmount } from "./amount.js";
import { accountByNumber, addRow, batchKey, type RowBody } from "./api.js";

export type KeyingField = "account" | "amount" | "check";
export type KeyingErrors = Partial<Record<KeyingField, string>>;

/** A row keyed and on its way to the server: shown at once, so the clerk never waits to key the next. */
export interface PendingRow {
  id: number;
  account_number: string;
  customer_name: string | null;
  amount_cents: bigint;
  check_number: string | null;
}

const CHECK_NUMBER = /^[\w-]{1,30}$/;
const NOT_ON_FILE = "No account has this number";

/** The customer on a keyed account number, looked up once its check digit is right (null: no such account). */
export function useAccountGlance(text: string) {
  const number = text.trim();
  const wanted = number.length === 10 && accountNumberProblem(number, false) === null;
  const lookup = useQuery({
    queryKey: ["account-by-number", number],
    queryFn: ({ signal }) => accountByNumber(number, signal),
    enabled: wanted,
    staleTime: 60_000,
  });
  return {
    name: wanted ? (lookup.data?.name ?? null) : null,
    looking: wanted && lookup.isFetching,
    notOnFile: wanted && lookup.isSuccess && lookup.data === null,
  };
}

/** An account number's problem as keyed: format and check digit, then whether it is on file. */
export function accountError(text: string, complete: boolean, notOnFile: boolean): string | null {
  return accountNumberProblem(text, complete) ?? (notOnFile ? NOT_ON_FILE : null);
}

/**
 * The keying row: Account number, Enter (its check digit checked as typed, the customer's name beside it), Amount,
 * Enter: the row is added and the cursor is back in a fresh Account number. Rows go to the server one after another;
 * one the server refuses comes back into the fields with its error.
 */
export function useKeying(batchId: number) {
  const client = useQueryClient();
  const [values, setValues] = useState<Record<KeyingField, string>>({ account: "", amount: "", check: "" });
  const [errors, setErrors] = useState<KeyingErrors>({});
  const [pending, setPending] = useState<PendingRow[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const refs = {
    account: useRef<HTMLInputElement>(null),
    amount: useRef<HTMLInputElement>(null),
    check: useRef<HTMLInputElement>(null),
  };
  const latest = useRef(values);
  latest.current = values;
  const queue = useRef<Promise<void>>(Promise.resolve());
  const serial = useRef(0);
  const glance = useAccountGlance(values.account);

  /** Moves the cursor to a field, its text selected so typing replaces it (a field already there keeps its caret). */
  const focus = (field: KeyingField) => {
    const input = refs[field].current;
    if (!input || document.activeElement === input) return;
    input.focus();
    input.select();
  };
  const set = (field: KeyingField, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
    if (field === "account") setFailure(null);
  };

  /** The server refused a row: back into the fields (unless the clerk is keying the next), with its errors. */
  const refused = (row: PendingRow, err: unknown) => {
    const what = `${row.account_number}, ${money(row.amount_cents)}`;
    if (mayHavePosted(err)) {
      void client.invalidateQueries({ queryKey: batchKey(batchId) });
      setFailure(
        `Not sure the row ${what} was added (${(err as Error).message}): check the rows before keying it again.`,
      );
      return;
    }
    const found: KeyingErrors = {};
    if (err instanceof ApiError) {
      for (const e of err.problem.errors ?? []) {
        if (e.field === "account_number") found.account = e.message;
        if (e.field === "amount_cents") found.amount = e.message;
        if (e.field === "check_number") found.check = e.message;
      }
    }
    const idle = !latest.current.account && !latest.current.amount && !latest.current.check;
    if (idle) {
      setValues({
        account: row.account_number,
        amount: amountText(row.amount_cents),
        check: row.check_number ?? "",
      });
      setErrors(found);
      focus(found.amount ? "amount" : found.check ? "check" : "account");
    }
    setFailure(`Row ${what} was not added: ${(err as Error).message}.`);
  };

  const send = (row: PendingRow) => {
    const body: RowBody = {
      account_number: row.account_number,
      amount_cents: Number(row.amount_cents),
      ...(row.check_number ? { check_number: row.check_number } : {}),
    };
    const key = newIdempotencyKey();
    queue.current = queue.current.then(async () => {
      try {
        client.setQueryData(batchKey(batchId), await addRow(batchId, body, key));
      } catch (err) {
        refused(row, err);
      } finally {
        setPending((p) => p.filter((x) => x.id !== row.id));
      }
    });
  };

  /** Enter in Amount or Check number: check the row, show it at once, send it, start the next. */
  const addCurrent = () => {
    const number = values.account.trim();
    const accountProblem = accountError(number, true, glance.notOnFile);
    if (accountProblem) {
      setErrors({ account: accountProblem });
      focus("account");
      return;
    }
    const amount = readAmount(values.amount);
    if ("error" in amount) {
      setErrors({ amount: amount.error });
      focus("amount");
      return;
    }
    const check = values.check.trim();
    if (check && !CHECK_NUMBER.test(check)) {
      setErrors({ check: "1-30 letters, digits or dashes" });
      focus("check");
      return;
    }
    const row: PendingRow = {
      id: ++serial.current,
      account_number: number,
      customer_name: glance.name,
      amount_cents: amount.cents,
      check_number: check || null,
    };
    setPending((p) => [...p, row]);
    setValues({ account: "", amount: "", check: "" });
    setErrors({});
    setFailure(null);
    focus("account");
    send(row);
  };

  const onAccountKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter" || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const problem = accountError(values.account, true, glance.notOnFile);
    if (problem) {
      setErrors({ account: problem });
      return;
    }
    focus("amount");
  };
  const onAmountKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter" || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    addCurrent();
  };

  return {
    values,
    set,
    /** What the fields show: what Enter found, else a check digit wrong as typed or an account not on file. */
    errors: {
      account: errors.account ?? accountError(values.account, false, glance.notOnFile) ?? undefined,
      amount: errors.amount,
      check: errors.check,
    },
    glance,
    pending,
    failure,
    refs,
    focus,
    onAccountKey,
    onAmountKey,
  };
}
