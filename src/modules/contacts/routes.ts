import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import { contactInput, contactListQuery } from "./inputs.js";
import { listContacts, logContact } from "./service.js";

const tags = ["contacts"];
const params = z.object({ id: idParam });

/** The contact log of an account. */
export async function contactsRoutes(app: Http) {
  app.post(
    "/api/v1/accounts/:id/contacts",
    {
      config: { access: { permission: "contacts.write" }, idempotency: "optional" },
      schema: {
        tags,
        summary: "Log a contact with the customer (who: you; when: now unless given)",
        params,
        body: contactInput,
      },
    },
    async (request, reply) => reply.code(201).send(await logContact(request.ctx, request.params.id, request.body)),
  );

  app.get(
    "/api/v1/accounts/:id/contacts",
    {
      config: { access: { permission: "contacts.read" } },
      schema: { tags, summary: "The account's contact log, newest first", params, querystring: contactListQuery },
    },
    async (request) => ({ contacts: await listContacts(request.ctx, request.params.id, request.query.limit) }),
  );
}
