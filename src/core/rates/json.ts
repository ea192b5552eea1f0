/** The quote as the API and the CLI print it: money as integer cents, snake_case. */
import type { Line, Quote } from "./types.js";

export const lineToJson = (l: Line) => ({
  description: l.description,
  quantity: l.quantity,
  unit: l.unit,
  price: l.price,
  amount_cents: Number(l.amountCents),
  kind: l.kind,
  rule: l.rule,
});

export const quoteToJson = (q: Quote) => ({
  tariff_code: q.tariffCode,
  versions: q.versions,
  from: q.period.from,
  to: q.period.to,
  days: q.days,
  kwh: q.kwh,
  lines: q.lines.map(lineToJson),
  total_cents: Number(q.totalCents),
});
