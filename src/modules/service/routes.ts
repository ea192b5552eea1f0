import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { agreementChange, agreementInput } from "./inputs.js";
import { createServiceAgreement, getServiceAgreement, updateServiceAgreement } from "./service.js";

const tags = ["service"];
const params = z.object({ id: idParam });

/** Service agreements: an account served at a service point under a tariff. */
export async function serviceRoutes(app: Http) {
  app.post(
    "/api/v1/service-agreements",
    {
      config: { access: { permission: "service.write" }, idempotency: "optional" },
      schema: { tags, summary: "Start a service agreement", body: agreementInput },
    },
    async (request, reply) => reply.code(201).send(await createServiceAgreement(request.ctx, request.body)),
  );

  app.get(
    "/api/v1/service-agreements/:id",
    {
      config: { access: { permission: "accounts.read" } },
      schema: { tags, summary: "A service agreement with its premise, service point and meter", params },
    },
    async (request) => getServiceAgreement(request.ctx, request.params.id),
  );

  app.patch(
    "/api/v1/service-agreements/:id",
    {
      config: { access: { permission: "service.write" } },
      schema: { tags, summary: "Edit a service agreement with the version read", params, body: agreementChange },
    },
    async (request) => updateServiceAgreement(request.ctx, request.params.id, request.body),
  );
}
