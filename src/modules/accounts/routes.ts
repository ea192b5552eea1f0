import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { createEnrolment, listEnrolments, updateEnrolment } from "./enrolments.js";
import { accountChange, accountInput, enrolmentChange, enrolmentInput } from "./inputs.js";
import { createAccount, updateAccount } from "./service.js";

const tags = ["accounts"];
const accountParams = z.object({ id: idParam });
const enrolmentParams = z.object({ id: idParam, enrolment_id: idParam });

/** Accounts (the account view itself is served with the customer read model) and their program enrolments. */
export async function accountsRoutes(app: Http) {
  app.post(
    "/api/v1/accounts",
    {
      config: { access: { permission: "accounts.write" }, idempotency: "optional" },
      schema: { tags, summary: "Open an account (a new Luhn-checked account number)", body: accountInput },
    },
    async (request, reply) => reply.code(201).send(await createAccount(request.ctx, request.body)),
  );

  app.patch(
    "/api/v1/accounts/:id",
    {
      config: { access: { permission: "accounts.write" } },
      schema: {
        tags,
        summary: "Edit an account with the version read (co_applicant_ids replaces the list)",
        params: accountParams,
        body: accountChange,
      },
    },
    async (request) => updateAccount(request.ctx, request.params.id, request.body),
  );

  app.get(
    "/api/v1/accounts/:id/enrolments",
    {
      config: { access: { permission: "accounts.read" } },
      schema: { tags, summary: "The account's program enrolments, latest first", params: accountParams },
    },
    async (request) => ({ enrolments: await listEnrolments(request.ctx, request.params.id) }),
  );

  app.post(
    "/api/v1/accounts/:id/enrolments",
    {
      config: { access: { permission: "customers.write" } },
      schema: {
        tags,
        summary: "Enrol the account in CARE, FERA or medical baseline",
        params: accountParams,
        body: enrolmentInput,
      },
    },
    async (request, reply) => reply.code(201).send(await createEnrolment(request.ctx, request.params.id, request.body)),
  );

  app.patch(
    "/api/v1/accounts/:id/enrolments/:enrolment_id",
    {
      config: { access: { permission: "customers.write" } },
      schema: {
        tags,
        summary: "Change an enrolment's dates with the version read",
        params: enrolmentParams,
        body: enrolmentChange,
      },
    },
    async (request) => updateEnrolment(request.ctx, request.params.id, request.params.enrolment_id, request.body),
  );
}
