import { z } from "zod";
import type { Http } from "../../platform/http.js";
import { respondOnce } from "../../platform/idempotency.js";
import { idParam } from "../parties/index.js";
import { closeDrawerInput, drawerListQuery, openDrawerInput, signOffInput } from "./drawer-inputs.js";
import { depositSlip, drawerReport } from "./drawer-pdfs.js";
import { currentDrawer, drawerView, listDrawers } from "./drawer-views.js";
import { closeDrawer, openDrawer, signOffDrawer } from "./drawers.js";

const tags = ["cash drawers"];
const params = z.object({ id: idParam });
const use = { permission: "drawers.use" };

/** Cash drawers (tender control): open with a float, the current drawer, close with the count, sign off, PDFs. */
export async function drawerRoutes(app: Http) {
  app.post(
    "/api/v1/drawers",
    {
      config: { access: use, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Open your cash drawer with a float from the change fund (Idempotency-Key required); 201 with the drawer. " +
          "One open drawer per cashier",
        body: openDrawerInput,
      },
    },
    async (request, reply) => respondOnce(request, reply, 201, (tx) => openDrawer(tx, request.body)),
  );

  app.get(
    "/api/v1/drawers",
    {
      config: { access: use },
      schema: {
        tags,
        summary:
          "Cash drawers, newest first, by status and business date: every cashier's for a supervisor, else yours",
        querystring: drawerListQuery,
      },
    },
    async (request) => listDrawers(request.ctx, request.query),
  );

  app.get(
    "/api/v1/drawers/current",
    {
      config: { access: use },
      schema: { tags, summary: "Your open cash drawer with its totals by tender and its payments (404 when none)" },
    },
    async (request) => currentDrawer(request.ctx),
  );

  app.get(
    "/api/v1/drawers/:id",
    {
      config: { access: use },
      schema: { tags, summary: "A cash drawer: totals by tender, the count at close, its payments", params },
    },
    async (request) => drawerView(request.ctx, request.params.id),
  );

  app.post(
    "/api/v1/drawers/:id/close",
    {
      config: { access: use, idempotency: "required" },
      schema: {
        tags,
        summary:
          "Close a drawer with the amounts counted by tender (Idempotency-Key required): posts the float back, the " +
          "over/short and the deposit to the bank; a note is required when over or short",
        params,
        body: closeDrawerInput,
      },
    },
    async (request, reply) =>
      respondOnce(request, reply, 200, (tx) => closeDrawer(tx, request.params.id, request.body)),
  );

  app.post(
    "/api/v1/drawers/:id/sign-off",
    {
      config: { access: { permission: "drawers.sign_off" } },
      schema: {
        tags,
        summary: "Sign off a closed drawer (not your own), with an optional note",
        params,
        body: signOffInput,
      },
    },
    async (request) => signOffDrawer(request.ctx, request.params.id, request.body),
  );

  app.get(
    "/api/v1/drawers/:id/report.pdf",
    { config: { access: use }, schema: { tags, summary: "The drawer report, as a PDF", params } },
    async (request, reply) =>
      reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="drawer-${request.params.id}.pdf"`)
        .send(await drawerReport(request.ctx, request.params.id)),
  );

  app.get(
    "/api/v1/drawers/:id/deposit-slip.pdf",
    {
      config: { access: use },
      schema: { tags, summary: "The bank deposit slip of a closed drawer, as a PDF", params },
    },
    async (request, reply) =>
      reply
        .type("application/pdf")
        .header("content-disposition", `inline; filename="deposit-slip-${request.params.id}.pdf"`)
        .send(await depositSlip(request.ctx, request.params.id)),
  );
}
