import type { Http } from "../../platform/http.js";
import { codeParams, compareInput, documentBody, quoteInput, urdbBody, urdbQuery } from "./inputs.js";
import { compareTariffs, quoteBill } from "./quotes.js";
import { addVersion, createTariff, getTariff, listTariffs } from "./service.js";
import { importUrdb } from "./urdb-import.js";

const tags = ["tariffs"];
const read = { permission: "tariffs.read" };
const manage = { permission: "tariffs.manage" };
/** A year of 15-minute readings as CSV or JSON rows, or a file of URDB records, fits. */
const LARGE_BODY = 16 * 1024 * 1024;

/** The tariff book (tariffs and their effective-dated versions, URDB import), quotes and rate comparisons. */
export async function ratesRoutes(app: Http) {
  app.get(
    "/api/v1/tariffs",
    {
      config: { access: read },
      schema: {
        tags,
        summary:
          "The tariff book by code: each tariff's origin, versions (effective_from, effective_to), the version in force " +
          "today, and whether it has a baseline, time of use and demand charges",
      },
    },
    async (request) => ({ items: await listTariffs(request.ctx) }),
  );

  app.get(
    "/api/v1/tariffs/:code",
    {
      config: { access: read },
      schema: {
        tags,
        summary: "One tariff with its whole Kilowatt tariff document (every version) and each version's URDB label",
        params: codeParams,
      },
    },
    async (request) => getTariff(request.ctx, request.params.code),
  );

  app.post(
    "/api/v1/tariffs",
    {
      config: { access: manage, idempotency: "optional" },
      schema: {
        tags,
        summary:
          "Add a tariff from a Kilowatt tariff document (docs/tariff-format.md): 201 with the tariff; 400 naming the " +
          "field the rate engine refuses; 409 when the code is taken",
        body: documentBody,
      },
    },
    async (request, reply) => reply.code(201).send(await createTariff(request.ctx, request.body)),
  );

  app.post(
    "/api/v1/tariffs/:code/versions",
    {
      config: { access: manage, idempotency: "optional" },
      schema: {
        tags,
        summary:
          "Add a version (a version object of the tariff format) to a tariff: 201 with the tariff; 409 when a version " +
          "with that effective_from exists; 400 naming the field refused",
        params: codeParams,
        body: documentBody,
      },
    },
    async (request, reply) => reply.code(201).send(await addVersion(request.ctx, request.params.code, request.body)),
  );

  app.post(
    "/api/v1/tariffs/import-urdb",
    {
      bodyLimit: LARGE_BODY,
      config: { access: manage, idempotency: "optional" },
      schema: {
        tags,
        summary:
          "Import OpenEI URDB rate records (one, an array, or {items}) converted to the Kilowatt format; code= names " +
          "the tariff: 201 {imported: [{code, name, effective_from}]}; a field Kilowatt does not model is a 400 naming it",
        querystring: urdbQuery,
        body: urdbBody,
      },
    },
    async (request, reply) =>
      reply.code(201).send(await importUrdb(request.ctx, request.body, { code: request.query.code })),
  );

  app.post(
    "/api/v1/rates/quote",
    {
      bodyLimit: LARGE_BODY,
      config: { access: read },
      schema: {
        tags: ["rates"],
        summary:
          "Price a period's usage on a tariff (tariff_code, or tariff: a Kilowatt document or a URDB record): kwh " +
          "(with demand_kw, kwh_by_period), intervals or intervals_csv; territory, care, fera, medical_baseline. " +
          "Answers the bill's lines and total_cents; nothing is stored",
        body: quoteInput,
      },
    },
    async (request) => quoteBill(request.ctx, request.body),
  );

  app.post(
    "/api/v1/rates/compare",
    {
      bodyLimit: LARGE_BODY,
      config: { access: read },
      schema: {
        tags: ["rates"],
        summary:
          "Compare a customer's usage (months of kWh, or intervals_csv) on every tariff of a sector or those named, " +
          "cheapest first; tariffs that cannot price it are listed as refused with the reason",
        body: compareInput,
      },
    },
    async (request) => compareTariffs(request.ctx, request.body),
  );
}
