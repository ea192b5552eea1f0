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
        summary: "Set a value from a business date on (send the version to change an existing dated value)",
        params: keyParams,
        body: z.object({ effective_from: isoDate, value: z.unknown(), version: z.number().int().optional() }),
      },
    },
    async (request) => {
      const body = request.body as { effective_from: string; value: unknown; version?: number };
      return putSetting(request.ctx, (request.params as { key: string }).key, body);
    },
  );
}
