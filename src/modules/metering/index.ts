export {
  type BillingRead,
  type EstimatedRead,
  estimateMissingReads,
  type ReadRow,
  readsForBilling,
  readsSince,
  type WantedRead,
} from "./billing.js";
export { estimateUsage, type UsageEstimate, type UsagePeriod } from "./estimate.js";
export { acceptRead, listHeldReads, replaceRead } from "./exceptions.js";
export { type GbUsagePoint, GreenButtonError, parseGreenButton } from "./greenbutton.js";
export { exportGreenButton, greenButtonXml } from "./greenbutton-export.js";
export { decimal, meterParams } from "./inputs.js";
export { type IntervalImportReport, importGreenButton, importIntervalsCsv } from "./interval-import.js";
export { intervalSeriesFor, type MeterIntervalReport } from "./intervals.js";
export { type ImportReport, type KeyedRead, keyReads, listReads } from "./reads.js";
export { importReadsCsv, parseReadsCsv } from "./reads-csv.js";
export { meteringRoutes } from "./routes.js";
export { intervalDays, meterReads } from "./schema.js";
export { type ReadValidation, readValidation } from "./settings.js";
export type { ReadView } from "./store.js";
