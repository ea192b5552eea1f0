import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import { badRequest } from "../../platform/errors.js";
import type { Http } from "../../platform/http.js";
import { acceptRead, listHeldReads, replaceRead } from "./exceptions.js";
import { exportGreenButton } from "./greenbutton-export.js";
import {
  acceptBody,
  fileBody,
  importQuery,
  keyReadsBody,
  meterParams,
  rangeQuery,
  readIdParams,
  readsQuery,
  replaceBody,
} from "./inputs.js";
import { importGreenButton, importIntervalsCsv } from "./interval-import.js";
import { checkRange, loadDays } from "./intervals.js";
import { requireMeterByNumber } from "./meters.js";
import { keyReads, listReads } from "./reads.js";
import { importReadsCsv } from "./reads-csv.js";

const tags = ["meter reads"];
const write = { permission: "reads.write" };
const importing = { permission: "reads.import" };
const read = { permission: "premises.read" };
/** A year of 15-minute data for a few meters, or a cycle's reads file, fits. */
const FILE_LIMIT = 32 * 1024 * 1024;
/** A file may come as its own bytes (these content types) or as JSON {csv} / {xml}. */
const RAW_TYPES = [
  "text/csv",
  "text/plain",
  "application/xml",
  "text/xml",
  "application/atom+xml",
  "application/octet-stream",
];

/** The file of a request: the raw body, or the csv/xml field of a JSON body. */
function fileOf(body: unknown, fileName?: string): { text: string; kind: "csv" | "xml"; fileName: string | undefined } {
  if (typeof body === "string") {
    if (body.trim() === "") throw badRequest("the body is empty: send the file", [{ field: "body", message: "empty" }]);
    return { text: body, kind: body.trimStart().startsWith("<") ? "xml" : "csv", fileName };
  }
  const parsed = fileBody.safeParse(body);
  if (!parsed.success) {
    throw badRequest("send the file as the body (text/csv or application/xml), or JSON {csv} or {xml}", [
      { field: "body", message: "a csv or xml field" },
    ]);
  }
  const f = parsed.data as z.infer<typeof fileBody> & { csv?: string; xml?: string };
  return f.csv !== undefined
    ? { text: f.csv, kind: "csv", fileName: f.file_name ?? fileName }
    : { text: f.xml!, kind: "xml", fileName: f.file_name ?? fileName };
}

/** usage point=meter pairs, comma-separated. */
function usagePointMap(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    const [up, meter] = pair.split("=").map((s) => s?.trim());
    if (!up || !meter) {
      throw badRequest(`usage_points: "${pair}" is not usage point=meter`, [
        { field: "usage_points", message: "usage point=meter, comma-separated" },
      ]);
    }
    out[up] = meter;
  }
  return out;
}

/** Register reads (keyed, imported, held and worked) and interval data (CSV, Green Button in and out). */
export async function meteringRoutes(app: Http) {
  await app.register(async (scoped) => {
    const r = scoped.withTypeProvider<ZodTypeProvider>();
    // Only here: a file may be the body as it is. Every other route keeps JSON.
    r.addContentTypeParser(RAW_TYPES, { parseAs: "string", bodyLimit: FILE_LIMIT }, (_req, body, done) =>
      done(null, body),
    );

    r.post(
      "/api/v1/meters/:meter_number/reads",
      {
        config: { access: write, idempotency: "optional" },
        schema: {
          tags,
          summary:
            "Key a register read ({read_on, reading, demand_kw?, kind: actual|customer}) or several ({reads: [...]}): " +
            "201 with each read and its kWh since the previous valid read; a read that fails a check (negative_usage " +
            "without a rollover, high_usage, low_usage) is held as an exception with the figures in exception_note; " +
            "409 naming read_on when the day has a read; 422 when the meter was not installed that day or a later " +
            "read is billed",
          params: meterParams,
          body: keyReadsBody,
        },
      },
      async (request, reply) => {
        const b = request.body;
        const reads = b.reads ?? [{ read_on: b.read_on!, reading: b.reading!, demand_kw: b.demand_kw, kind: b.kind }];
        return reply.code(201).send({ reads: await keyReads(request.ctx, request.params.meter_number, reads) });
      },
    );

    r.get(
      "/api/v1/meters/:meter_number/reads",
      {
        config: { access: read },
        schema: {
          tags,
          summary: "A meter's register reads, latest first",
          params: meterParams,
          querystring: readsQuery,
        },
      },
      async (request) =>
        listReads(request.ctx, request.params.meter_number, {
          limit: request.query.limit,
          status: request.query.status,
          includeReplaced: request.query.include_replaced ?? request.query.status === "replaced",
        }),
    );

    r.post(
      "/api/v1/reads/import",
      {
        bodyLimit: FILE_LIMIT,
        config: { access: importing, idempotency: "optional" },
        schema: {
          tags,
          summary:
            "Import register reads from CSV (meter_number,read_on,reading[,demand_kw]) as the body (text/csv) or as " +
            "JSON {csv}: 200 with counts and every line held or refused with its reason; a wrong header is a 400",
          querystring: importQuery,
        },
      },
      async (request) => {
        const f = fileOf(request.body, request.query.file_name);
        if (f.kind !== "csv") {
          throw badRequest("register reads come as CSV", [{ field: "body", message: "not CSV" }]);
        }
        return importReadsCsv(request.ctx, f.text, f.fileName);
      },
    );

    r.get(
      "/api/v1/reads/exceptions",
      {
        config: { access: read },
        schema: { tags, summary: "Reads held as exceptions (not billed until accepted or replaced), oldest first" },
      },
      async (request) => listHeldReads(request.ctx),
    );

    r.post(
      "/api/v1/reads/:id/accept",
      {
        config: { access: write },
        schema: {
          tags,
          summary:
            "Accept a held read as it is, with the version read: it becomes valid, its kWh recomputed from the " +
            "previous valid read, and the next read's kWh recomputed from it",
          params: readIdParams,
          body: acceptBody,
        },
      },
      async (request) => acceptRead(request.ctx, request.params.id, request.body),
    );

    r.post(
      "/api/v1/reads/:id/replace",
      {
        config: { access: write },
        schema: {
          tags,
          summary:
            "Replace a held read (or a valid one not yet billed) by a corrected reading on the same day, with the " +
            "version read: 201 with the replaced read and the new one (judged like any keyed read)",
          params: readIdParams,
          body: replaceBody,
        },
      },
      async (request, reply) => reply.code(201).send(await replaceRead(request.ctx, request.params.id, request.body)),
    );

    r.post(
      "/api/v1/meters/:meter_number/intervals",
      {
        bodyLimit: FILE_LIMIT,
        config: { access: importing, idempotency: "optional" },
        schema: {
          tags,
          summary:
            "Import a meter's interval data: CSV start,kwh (or meter_number,start,kwh of this meter) or a Green " +
            "Button (ESPI) file of one usage point, as the body or JSON {csv} / {xml}: 200 with what was stored per " +
            "meter and what was skipped and why; a malformed file is a 400 naming the line and element",
          params: meterParams,
          querystring: importQuery,
        },
      },
      async (request) => {
        const f = fileOf(request.body, request.query.file_name);
        const meterNumber = request.params.meter_number;
        await requireMeterByNumber(request.ctx, meterNumber);
        return f.kind === "xml"
          ? importGreenButton(request.ctx, f.text, { meterNumber, file: f.fileName })
          : importIntervalsCsv(request.ctx, f.text, { meterNumber, file: f.fileName });
      },
    );

    r.post(
      "/api/v1/intervals/import",
      {
        bodyLimit: FILE_LIMIT,
        config: { access: importing, idempotency: "optional" },
        schema: {
          tags,
          summary:
            "Import interval data of many meters: CSV meter_number,start,kwh, or a Green Button feed whose usage " +
            "points are meter numbers (or mapped by ?usage_points=id=meter,...); as the body or JSON {csv} / {xml}",
          querystring: importQuery,
        },
      },
      async (request) => {
        const f = fileOf(request.body, request.query.file_name);
        return f.kind === "xml"
          ? importGreenButton(request.ctx, f.text, {
              usagePointMeters: usagePointMap(request.query.usage_points),
              file: f.fileName,
            })
          : importIntervalsCsv(request.ctx, f.text, { file: f.fileName });
      },
    );

    r.get(
      "/api/v1/meters/:meter_number/intervals",
      {
        config: { access: read },
        schema: {
          tags,
          summary:
            "A meter's interval data by local day (from..to, at most 400 days): each day's interval length and " +
            "watt-hours from the day's first instant (null where a reading is missing)",
          params: meterParams,
          querystring: rangeQuery,
        },
      },
      async (request) => {
        const { from, to } = request.query;
        checkRange(from, to, 400);
        const meter = await requireMeterByNumber(request.ctx, request.params.meter_number);
        const days = await loadDays(request.ctx, meter.id, from, to);
        return {
          meter_number: meter.meterNumber,
          time_zone: request.ctx.clock.timezone,
          days: days.map((d) => ({
            ...d,
            kwh: (d.wh.reduce<number>((s, v) => s + (v ?? 0), 0) / 1000).toFixed(3),
          })),
        };
      },
    );

    r.get(
      "/api/v1/meters/:meter_number/intervals/greenbutton",
      {
        config: { access: read },
        schema: {
          tags,
          summary:
            "A meter's interval data for local days from..to as a Green Button (ESPI) file, which imports back to " +
            "the same intervals",
          params: meterParams,
          querystring: rangeQuery,
        },
      },
      async (request, reply) => {
        const { from, to } = request.query;
        const xml = await exportGreenButton(request.ctx, request.params.meter_number, from, to);
        return reply
          .type("application/atom+xml; charset=utf-8")
          .header(
            "content-disposition",
            `attachment; filename="greenbutton-${request.params.meter_number}-${from}-${to}.xml"`,
          )
          .send(xml);
      },
    );
  });
}
