export { billPdf, kwhText, readScanLine, scanLine } from "./bill-pdf.js";
export {
  accountBills,
  type BillAgreement,
  type BillDetail,
  type BillLine,
  type BillSummary,
  type BillView,
  billView,
  requireBill,
  type UsageMonth,
  usageHistory,
} from "./bill-views.js";
export { cancelBill, heldBills, rebillBill, releaseBill } from "./exceptions.js";
export { billInsightRoutes } from "./insight-routes.js";
export { billingRoutes } from "./routes.js";
export { type BillRunInput, type BillRunView, billRunView, listBillRuns, openRun, runBills } from "./run.js";
export { BILL_RUN_JOB, billRunJob } from "./run-job.js";
export { billRunRoutes } from "./run-routes.js";
export { billRuns, billSegments, bills } from "./schema.js";
export { billContactLines, billRemittanceAddress } from "./settings.js";
export { scheduledStopsJob } from "./stop-job.js";
export { cancelScheduledStop, runScheduledStops, stopService } from "./stop-service.js";
