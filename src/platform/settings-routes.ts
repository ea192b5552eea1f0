import { z } from "zod";
import type { Http } from "./http.js";
import { describeSetting, listSettingDefs, putSetting } from "./settings.js";

const keyParams = z.object({ key: z.string().min(1).max(200) });
const isoDate = z.iso.date();

/** The admin API for effective-dated settings. */
export async function settingsRoutes(app: Http) {
  app.get(
    "/api/v1/settings",
    {
      config: { access: { permission: "settings.read" } },
      schema: { tags: ["settings"], summary: "Every setting with its value today and its schedule" },
    },
    async (request) => ({
      settings: await Promise.all(listSettingDefs().map((d) => describeSetting(request.ctx, d.key))),
    }),
  );
  app.get(
    "/api/v1/settings/:key",
    {
      config: { access: { permission: "settings.read" } },
      schema: { tags: ["settings"], summary: "One setting", params: keyParams },
    },
    async (request) => describeSetting(request.ctx, (request.params as { key: string }).key),
  );
  app.put(
    "/api/v1/settings/:key",
    {
      config: { access: { permission: "settings.manage" } },
      schema: {
        tags: ["settings"],
        summary:
          "Set a value from a business date on, or for a range with effective_to (send the version to change an " +
          "existing dated value); a range colliding with another version's is refused (422, settings.overlap)",
        params: keyParams,
        body: z.object({
          effective_from: isoDate,
          /** The last day of a temporary version (inclusive). */
          effective_to: isoDate.nullable().optional(),
          value: z.unknown(),
          version: z.number().int().optional(),
        }),
      },
    },
    async (request) => {
      const body = request.body as {
        effective_from: string;
        effective_to?: string | null;
        value: unknown;
        version?: number;
      };
      return putSetting(request.ctx, (request.params as { key: string }).key, body);
    },
  );
}
