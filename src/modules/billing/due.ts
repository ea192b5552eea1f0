/** A bill's mail and due dates: bill date plus the mail lag, plus the days to pay, moved to the next business day. */
import { Temporal } from "temporal-polyfill";

export function mailAndDue(billDate: string, lag: number, days: number, holidays: readonly string[]) {
  const mail = Temporal.PlainDate.from(billDate).add({ days: lag });
  let due = mail.add({ days });
  const closed = new Set(holidays);
  while (due.dayOfWeek >= 6 || closed.has(due.toString())) due = due.add({ days: 1 });
  return { mail: mail.toString(), due: due.toString() };
}
