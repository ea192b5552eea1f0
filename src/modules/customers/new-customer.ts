import { z } from "zod";
import { type Ctx, hasPermission, inTx } from "../../platform/context.js";
import { type FieldError, forbidden, Problem } from "../../platform/errors.js";
import { accountInput, createAccount } from "../accounts/index.js";
import { createParty, getParty, isoDate, type PartyView, partyInput, requireParties } from "../parties/index.js";
import {
  createMeter,
  createPremise,
  createServicePoint,
  getPremise,
  installMeter,
  type MeterView,
  meterInput,
  type PremiseView,
  premiseInput,
  requireServicePoint,
  type ServicePointView,
  servicePointInput,
} from "../premises/index.js";
import { type AgreementView, createServiceAgreement, tariffCode } from "../service/index.js";
import { type AccountView, accountView } from "./view.js";

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * A new customer in one request: the party (new, or an existing one by id), the account, and optionally where and
 * how they are served: a premise (new or existing), a service point (new or existing), a meter installed there and
 * a service agreement under a tariff.
 */
export const newCustomerInput = z
  .strictObject({
    party: partyInput.optional(),
    party_id: id.optional(),
    account: accountInput.omit({ main_party_id: true }),
    premise: premiseInput.optional(),
    premise_id: id.optional(),
    service_point: servicePointInput.optional(),
    service_point_id: id.optional(),
    meter: meterInput.optional(),
    service_agreement: z.strictObject({ tariff_code: tariffCode, start_date: isoDate }).optional(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (!v.party === (v.party_id === undefined)) issue("party", "give either a new party or a party_id");
    if (v.premise && v.premise_id !== undefined) issue("premise_id", "give either a new premise or a premise_id");
    if (v.service_point && v.service_point_id !== undefined) {
      issue("service_point_id", "give either a new service point or a service_point_id");
    }
    if (v.service_point && !v.premise && v.premise_id === undefined) {
      issue("service_point", "a new service point needs a premise or premise_id");
    }
    const servicePoint = v.service_point || v.service_point_id !== undefined;
    if (v.meter && !servicePoint) issue("meter", "a meter is installed at a service point: give one");
    if (v.service_agreement && !servicePoint) issue("service_agreement", "service needs a service point: give one");
  });
export type NewCustomerInput = z.infer<typeof newCustomerInput>;

export interface NewCustomer {
  account: AccountView;
  party: PartyView;
  premise: PremiseView | null;
  service_point: ServicePointView | null;
  meter: MeterView | null;
  service_agreement: AgreementView | null;
  /** Existing parties the new one may duplicate (the duplicate warning). */
  possible_duplicate_ids: number[];
}

/**
 * Runs one step, naming fields as the request nests them in any problem it raises: under a prefix ("party" makes
 * "party.last_name"), or as one field (an existing id looked up: "premise_id").
 */
async function step<T>(where: string | { field: string }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof Problem) || !Array.isArray(err.extra.errors)) throw err;
    const rename = (field: string) => (typeof where === "string" ? `${where}.${field}` : where.field);
    const errors = (err.extra.errors as FieldError[]).map((e) => ({ ...e, field: rename(e.field) }));
    throw new Problem(err.status, err.title, err.message, { ...err.extra, errors });
  }
}

/** Creates a customer, account and (optionally) premise, service point, meter and agreement in one transaction. */
export async function openNewCustomer(ctx: Ctx, input: NewCustomerInput): Promise<NewCustomer> {
  const needs = [
    "accounts.write",
    ...(input.premise || input.service_point || input.meter ? ["premises.write"] : []),
    ...(input.service_agreement ? ["service.write"] : []),
  ];
  for (const permission of needs) if (!hasPermission(ctx.actor, permission)) throw forbidden(permission);
  return inTx(ctx, async (tx) => {
    let party: PartyView;
    if (input.party) {
      const given = input.party;
      party = await step("party", () => createParty(tx, given));
    } else {
      await requireParties(tx.db, [input.party_id!], "party_id");
      party = await getParty(tx, input.party_id!);
    }
    const account = await step("account", () => createAccount(tx, { ...input.account, main_party_id: party.id }));

    let premise: PremiseView | null = null;
    if (input.premise) {
      const given = input.premise;
      premise = await step("premise", () => createPremise(tx, given));
    } else if (input.premise_id !== undefined) {
      const { service_points: _points, ...found } = await step({ field: "premise_id" }, () =>
        getPremise(tx, input.premise_id!),
      );
      premise = found;
    }

    let servicePoint: ServicePointView | null = null;
    if (input.service_point) {
      const given = input.service_point;
      const { meter: _none, ...made } = await step("service_point", () => createServicePoint(tx, premise!.id, given));
      servicePoint = made;
    } else if (input.service_point_id !== undefined) {
      const row = await requireServicePoint(tx.db, input.service_point_id, "service_point_id");
      servicePoint = {
        id: row.id,
        premise_id: row.premiseId,
        kind: row.kind,
        description: row.description,
        version: row.version,
      };
    }

    let meter: MeterView | null = null;
    if (input.meter) {
      const given = input.meter;
      const made = await step("meter", () => createMeter(tx, given));
      meter = await step("meter", () =>
        installMeter(tx, made.id, { version: made.version, service_point_id: servicePoint!.id }),
      );
    }

    let agreement: AgreementView | null = null;
    if (input.service_agreement) {
      const given = input.service_agreement;
      agreement = await step("service_agreement", () =>
        createServiceAgreement(tx, {
          account_id: account.id,
          service_point_id: servicePoint!.id,
          tariff_code: given.tariff_code,
          start_date: given.start_date,
        }),
      );
    }
    return {
      account: await accountView(tx, account.id),
      party,
      premise,
      service_point: servicePoint,
      meter,
      service_agreement: agreement,
      possible_duplicate_ids: party.possible_duplicate_ids,
    };
  });
}
