import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { addFlag, listFlags, updateFlag } from "./flags.js";
import { flagChange, flagInput, idParam, partyChange, partyInput } from "./inputs.js";
import { createParty, getParty, revealIdentity, updateParty } from "./service.js";

const tags = ["customers"];
const partyParams = z.object({ id: idParam });
const flagParams = z.object({ id: idParam, flag_id: idParam });

/** Persons and businesses: create, read, edit, flags and the audited identity reveal. */
export async function partiesRoutes(app: Http) {
  app.post(
    "/api/v1/parties",
    {
      config: { access: { permission: "customers.write" }, idempotency: "optional" },
      schema: {
        tags,
        summary: "Create a person or business (a possible duplicate is created and named in possible_duplicate_ids)",
        body: partyInput,
      },
    },
    async (request, reply) => reply.code(201).send(await createParty(request.ctx, request.body)),
  );

  app.get(
    "/api/v1/parties/:id",
    {
      config: { access: { permission: "customers.read" } },
      schema: { tags, summary: "A person or business, identity number masked", params: partyParams },
    },
    async (request) => getParty(request.ctx, request.params.id),
  );

  app.patch(
    "/api/v1/parties/:id",
    {
      config: { access: { permission: "customers.write" } },
      schema: {
        tags,
        summary: "Edit a person or business with the version read (phones replace the list; null clears a field)",
        params: partyParams,
        body: partyChange,
      },
    },
    async (request) => updateParty(request.ctx, request.params.id, request.body),
  );

  app.post(
    "/api/v1/parties/:id/identity/reveal",
    {
      config: { access: { permission: "customers.reveal_identity" } },
      schema: { tags, summary: "The full identity number (every reveal is audited)", params: partyParams },
    },
    async (request) => revealIdentity(request.ctx, request.params.id),
  );

  app.get(
    "/api/v1/parties/:id/flags",
    {
      config: { access: { permission: "customers.read" } },
      schema: { tags, summary: "A party's flags, latest first", params: partyParams },
    },
    async (request) => ({ flags: await listFlags(request.ctx, request.params.id) }),
  );

  app.post(
    "/api/v1/parties/:id/flags",
    {
      config: { access: { permission: "customers.write" } },
      schema: { tags, summary: "Put a flag on a party", params: partyParams, body: flagInput },
    },
    async (request, reply) => reply.code(201).send(await addFlag(request.ctx, request.params.id, request.body)),
  );

  app.patch(
    "/api/v1/parties/:id/flags/:flag_id",
    {
      config: { access: { permission: "customers.write" } },
      schema: {
        tags,
        summary: "Change a flag's dates or note with the version read",
        params: flagParams,
        body: flagChange,
      },
    },
    async (request) => updateFlag(request.ctx, request.params.id, request.params.flag_id, request.body),
  );
}
