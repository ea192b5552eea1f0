export { agencyFileContent, agencyLayout, listAgencyFiles } from "./agency.js";
export { ampOf, enrolAmp, leaveAmp } from "./amp.js";
export {
  type ArrangementInput,
  type ArrangementView,
  arrangementsOf,
  getArrangement,
  makeArrangement,
} from "./arrangements.js";
export { type BankruptcyView, bankruptciesOf, closeBankruptcy, recordBankruptcy } from "./bankruptcy.js";
export { type CollectionRunResult, runCollections } from "./daily.js";
export {
  type DisputeView,
  disputesOf,
  getDispute,
  openDispute,
  putHeatForecasts,
  recordPledge,
  resolveDispute,
} from "./disputes.js";
export { collectionsJob } from "./jobs.js";
export { noticePdf } from "./notice-pdf.js";
export { restorationOf, restoreService } from "./restoration.js";
export { collectionsRoutes } from "./routes.js";
export { decide, nextStep, STEPS, type Step } from "./steps.js";
export { collectionsDecisionSource, collectionsOf } from "./summary.js";
export { worklist } from "./worklist.js";
