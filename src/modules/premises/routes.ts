import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { idParam } from "../parties/index.js";
import {
  installInput,
  meterChange,
  meterInput,
  premiseChange,
  premiseInput,
  removeInput,
  servicePointInput,
} from "./inputs.js";
import { createMeter, getMeter, installMeter, removeMeter, updateMeter } from "./meters.js";
import { createPremise, createServicePoint, getPremise, listServicePoints, updatePremise } from "./service.js";

const tags = ["premises"];
const params = z.object({ id: idParam });

/** Premises, service points and meters with their install and removal history. */
export async function premisesRoutes(app: Http) {
  app.post(
    "/api/v1/premises",
    {
      config: { access: { permission: "premises.write" } },
      schema: { tags, summary: "Add a premise (service address)", body: premiseInput },
    },
    async (request, reply) => reply.code(201).send(await createPremise(request.ctx, request.body)),
  );

  app.get(
    "/api/v1/premises/:id",
    {
      config: { access: { permission: "premises.read" } },
      schema: { tags, summary: "A premise with its service points and their meters", params },
    },
    async (request) => getPremise(request.ctx, request.params.id),
  );

  app.patch(
    "/api/v1/premises/:id",
    {
      config: { access: { permission: "premises.write" } },
      schema: { tags, summary: "Edit a premise with the version read", params, body: premiseChange },
    },
    async (request) => updatePremise(request.ctx, request.params.id, request.body),
  );

  app.get(
    "/api/v1/premises/:id/service-points",
    {
      config: { access: { permission: "premises.read" } },
      schema: { tags, summary: "The service points of a premise, each with its meter", params },
    },
    async (request) => ({ service_points: await listServicePoints(request.ctx, request.params.id) }),
  );

  app.post(
    "/api/v1/premises/:id/service-points",
    {
      config: { access: { permission: "premises.write" } },
      schema: { tags, summary: "Add a service point at a premise", params, body: servicePointInput },
    },
    async (request, reply) =>
      reply.code(201).send(await createServicePoint(request.ctx, request.params.id, request.body)),
  );

  app.post(
    "/api/v1/meters",
    {
      config: { access: { permission: "premises.write" } },
      schema: { tags, summary: "Add a meter with its registers", body: meterInput },
    },
    async (request, reply) => reply.code(201).send(await createMeter(request.ctx, request.body)),
  );

  app.get(
    "/api/v1/meters/:id",
    {
      config: { access: { permission: "premises.read" } },
      schema: { tags, summary: "A meter, its registers and its install and removal history", params },
    },
    async (request) => getMeter(request.ctx, request.params.id),
  );

  app.patch(
    "/api/v1/meters/:id",
    {
      config: { access: { permission: "premises.write" } },
      schema: {
        tags,
        summary: "Edit a meter's multiplier or manufacturer with the version read",
        params,
        body: meterChange,
      },
    },
    async (request) => updateMeter(request.ctx, request.params.id, request.body),
  );

  app.post(
    "/api/v1/meters/:id/install",
    {
      config: { access: { permission: "premises.write" } },
      schema: { tags, summary: "Install a meter at a service point", params, body: installInput },
    },
    async (request) => installMeter(request.ctx, request.params.id, request.body),
  );

  app.post(
    "/api/v1/meters/:id/remove",
    {
      config: { access: { permission: "premises.write" } },
      schema: { tags, summary: "Remove a meter from its service point", params, body: removeInput },
    },
    async (request) => removeMeter(request.ctx, request.params.id, request.body),
  );
}
