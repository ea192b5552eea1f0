export { loadTariff, TARIFF_FORMAT, type TariffDocument } from "./book.js";
export { type CompareInput, compareInput, type QuoteInput, quoteInput, SECTORS, tariffCode } from "./inputs.js";
export { compareTariffs, quoteBill } from "./quotes.js";
export { ratesRoutes } from "./routes.js";
export { tariffs, tariffVersions } from "./schema.js";
export {
  addVersion,
  createTariff,
  type DocumentImport,
  getTariff,
  importDocument,
  listTariffs,
  type TariffDetail,
  type TariffView,
  type VersionSpan,
} from "./service.js";
export { importUrdb, type UrdbImport } from "./urdb-import.js";
