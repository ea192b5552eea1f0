/** The rate engine: tariffs in the Kilowatt format (docs/tariff-format.md), priced line by line to the cent. */
export {
  type Comparison,
  type ComparisonRow,
  compareRates,
  comparisonToJson,
  LOAD_SHAPE,
  monthsOf,
  shapeIntervals,
} from "./compare.js";
export { quote } from "./engine.js";
export { type IntervalRow, intervalsFromRows, parseIntervalsCsv } from "./intervals.js";
export { lineToJson, quoteToJson } from "./json.js";
export type { Tariff, Version } from "./model.js";
export { parseTariff, SECTORS } from "./parse.js";
export * from "./types.js";
