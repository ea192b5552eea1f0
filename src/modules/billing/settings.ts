import { z } from "zod";
import { defineSetting } from "../../platform/settings.js";

const line = z.string().trim().min(1).max(80);

export const billRemittanceAddress = defineSetting({
  key: "billing.remittance_address",
  description:
    "Where customers mail payments, as printed on the bill's payment stub (placed for a window envelope): one to " +
    "four lines, the first usually the utility's name or its payment processing department. The utility's name at " +
    "the top of the bill is payments.receipt.utility_name",
  schema: z.array(line).min(1).max(4),
  default: ["Kilowatt Municipal Utility", "Payment Processing", "PO Box 1000", "Sacramento CA 95812-1000"],
});

export const billContactLines = defineSetting({
  key: "billing.contact_lines",
  description:
    "How customers reach the utility, printed under its name at the top of every bill (customer service phone, " +
    "hours, website): up to three lines; none prints nothing",
  schema: z.array(line).max(3),
  default: ["Customer service: (916) 555-0100, Monday to Friday 8 a.m. to 6 p.m."],
});
