/**
 * Published worked bill examples, reproduced to the cent.
 *
 * Each file in ./published holds one bill computation published by a utility, a city or a trade journal (its
 * address and the figures quoted from it are in `source`), a tariff document with just what the example needs,
 * the usage and period, and the lines and total the source shows. A fixture with `known_gap` is one the tariff
 * format cannot yet express exactly: the test pins what the engine gives today (`known_gap.engine`) and checks it
 * still differs from the source, so that closing the gap shows up here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type Facts,
  type Line,
  type LineKind,
  parseIntervalsCsv,
  parseTariff,
  type Quote,
  quote,
  type Usage,
} from "./index.js";

interface ExpectedLine {
  description: string;
  kind?: LineKind;
  /** kWh, kW or days as the source shows them; compared when given. */
  quantity?: string;
  amount_cents: number;
}

interface Expected {
  lines: ExpectedLine[];
  /** null when the source does not state a total. */
  total_cents: number | null;
}

interface Fixture {
  source: { url: string; title: string; publisher: string; quoted: string[]; notes: string };
  tariff: unknown;
  facts?: { territory?: string; care?: boolean; fera?: boolean; medicalBaseline?: boolean };
  period: { from: string; to: string };
  usage:
    | { kind: "register"; kwh: string; demandKw?: string; kwhByPeriod?: Record<string, string> }
    | { kind: "intervals"; csv: string };
  expected: Expected;
  known_gap?: { description: string; engine: Expected };
}

const dir = fileURLToPath(new URL("./published/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();
const load = (file: string) => JSON.parse(readFileSync(`${dir}${file}`, "utf8")) as Fixture;

function usageOf(u: Fixture["usage"]): Usage {
  if (u.kind === "intervals") return { kind: "intervals", series: parseIntervalsCsv(u.csv) };
  return { kind: "register", kwh: u.kwh, demandKw: u.demandKw, kwhByPeriod: u.kwhByPeriod };
}

function quoteOf(f: Fixture): Quote {
  const facts: Facts = { ...f.facts };
  return quote(parseTariff(f.tariff), facts, f.period, usageOf(f.usage));
}

/**
 * The expected lines no actual line matches. Each expected line, in order, takes the first line not yet taken
 * with the same amount (and kind and quantity where the fixture gives them).
 */
function unmatched(actual: Line[], expected: ExpectedLine[]): ExpectedLine[] {
  const taken = new Set<number>();
  return expected.filter((e) => {
    const i = actual.findIndex(
      (l, k) =>
        !taken.has(k) &&
        l.amountCents === BigInt(e.amount_cents) &&
        (e.kind === undefined || l.kind === e.kind) &&
        (e.quantity === undefined || Number(l.quantity) === Number(e.quantity)),
    );
    if (i < 0) return true;
    taken.add(i);
    return false;
  });
}

const matches = (q: Quote, e: Expected) =>
  unmatched(q.lines, e.lines).length === 0 && (e.total_cents === null || q.totalCents === BigInt(e.total_cents));

const show = (q: Quote) =>
  [
    ...q.lines.map((l) => `  ${l.kind} | ${l.description} | ${l.quantity} ${l.unit} @ ${l.price} | ${l.amountCents}`),
    `  total ${q.totalCents}`,
  ].join("\n");

describe("published worked bill examples", () => {
  it("has the examples and each names its source", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const f = load(file);
      expect(f.source.url, file).toMatch(/^https?:\/\//);
      expect(f.source.title, file).not.toBe("");
      expect(f.source.publisher, file).not.toBe("");
      expect(f.source.quoted.length, file).toBeGreaterThan(0);
      expect(f.expected.lines.length > 0 || f.expected.total_cents !== null, `${file} checks nothing`).toBe(true);
    }
  });

  for (const file of files) {
    const f = load(file);
    const name = `${file.replace(/\.json$/, "")} (${f.source.publisher})`;
    if (f.known_gap) {
      it(`${name}: the engine still differs from the source as recorded`, () => {
        const q = quoteOf(f);
        const gap = f.known_gap!;
        expect(unmatched(q.lines, gap.engine.lines), `engine lines now:\n${show(q)}`).toEqual([]);
        if (gap.engine.total_cents !== null) expect(q.totalCents).toBe(BigInt(gap.engine.total_cents));
        expect(matches(q, f.expected), `the engine now reproduces the source; drop known_gap: ${gap.description}`).toBe(
          false,
        );
      });
    } else {
      it(`${name}: reproduces every line and the total to the cent`, () => {
        const q = quoteOf(f);
        expect(unmatched(q.lines, f.expected.lines), `engine lines:\n${show(q)}`).toEqual([]);
        if (f.expected.total_cents !== null)
          expect(q.totalCents, `engine lines:\n${show(q)}`).toBe(BigInt(f.expected.total_cents));
      });
    }
  }
});
