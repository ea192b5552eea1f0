import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import helmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import { sql } from "drizzle-orm";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import { accountsRoutes } from "./modules/accounts/index.js";
import { adjustmentsRoutes } from "./modules/adjustments/index.js";
import {
  billInsightRoutes,
  billingRoutes,
  billRunJob,
  billRunRoutes,
  scheduledStopsJob,
} from "./modules/billing/index.js";
import { collectionsDecisionSource, collectionsJob, collectionsRoutes } from "./modules/collections/index.js";
import { contactsRoutes } from "./modules/contacts/index.js";
import { creditDecisions, creditRoutes, depositRefundJob } from "./modules/credit/index.js";
import { customersRoutes } from "./modules/customers/index.js";
import { identityRoutes, makeAuthenticate } from "./modules/identity/index.js";
import { ledgerRoutes } from "./modules/ledger/index.js";
import { levelPayDecisionSource, levelPayJob, levelPayRoutes } from "./modules/levelpay/index.js";
import { meteringRoutes } from "./modules/metering/index.js";
import { ordersRoutes } from "./modules/orders/index.js";
import { partiesRoutes } from "./modules/parties/index.js";
import { paymentBatchRoutes } from "./modules/payments/batch-routes.js";
import { drawerRoutes } from "./modules/payments/drawer-routes.js";
import { paymentsRoutes } from "./modules/payments/index.js";
import { lockboxRoutes } from "./modules/payments/lockbox-routes.js";
import { type DecisionSource, policyRoutes } from "./modules/policy/index.js";
import { premisesRoutes } from "./modules/premises/index.js";
import { ratesRoutes } from "./modules/rates/index.js";
import { searchRoutes } from "./modules/search/index.js";
import { serviceRoutes } from "./modules/service/index.js";
import type { Clock } from "./platform/clock.js";
import type { Config } from "./platform/config.js";
import type { Ctx } from "./platform/context.js";
import type { Database } from "./platform/db.js";
import { createHttp, type Http } from "./platform/http.js";
import { type JobDefinition, type Jobs, type JobsOptions, startJobs } from "./platform/jobs.js";
import { settingsRoutes } from "./platform/settings-routes.js";

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../web/dist");

export interface AppDeps {
  database: Database;
  clock: Clock;
  config: Config;
  logger?: boolean | object;
}

/** Every context's background jobs. */
export const JOB_DEFINITIONS: JobDefinition[] = [
  billRunJob as JobDefinition,
  scheduledStopsJob as JobDefinition,
  depositRefundJob as JobDefinition,
  collectionsJob as JobDefinition,
  levelPayJob as JobDefinition,
];

/** Every context's policy decisions, for policy explain. */
export const POLICY_SOURCES: DecisionSource[] = [creditDecisions, collectionsDecisionSource, levelPayDecisionSource];

/** The job queue for a process: workers run in it when the config says so (KILOWATT_WORKERS). */
export function openJobs(deps: Omit<AppDeps, "logger">, log?: JobsOptions["log"]): Promise<Jobs> {
  return startJobs({ ...deps, definitions: JOB_DEFINITIONS, log });
}

/** Assembles the server: the platform, then every context's routes and jobs (stopped when the server closes). */
export async function buildApp(deps: AppDeps): Promise<Http> {
  const base = (): Omit<Ctx, "actor" | "requestId"> => ({
    database: deps.database,
    db: deps.database.db,
    clock: deps.clock,
    config: deps.config,
  });
  const hasWeb = existsSync(path.join(webDist, "index.html"));
  const app = createHttp({
    ...deps,
    authenticate: makeAuthenticate(base),
    spaFallback: hasWeb ? (reply) => reply.type("text/html").sendFile("index.html") : undefined,
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Kilowatt API", version: "1", description: "Customer information system for electric utilities" },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "kw_session" },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: "/api/docs",
    uiConfig: { docExpansion: "list" },
    staticCSP: true,
    uiHooks: {},
  });

  app.get("/api/openapi.json", { config: { access: { public: true } }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  app.get(
    "/api/health",
    { config: { access: { public: true } }, schema: { tags: ["platform"], summary: "Liveness and database check" } },
    async () => {
      await deps.database.db.execute(sql`select 1`);
      return { status: "ok" };
    },
  );

  await identityRoutes(app, base);
  await settingsRoutes(app);
  await partiesRoutes(app);
  await accountsRoutes(app);
  await premisesRoutes(app);
  await serviceRoutes(app);
  await contactsRoutes(app);
  await customersRoutes(app);
  await searchRoutes(app);
  await ledgerRoutes(app);
  await paymentsRoutes(app);
  await paymentBatchRoutes(app);
  await lockboxRoutes(app);
  await drawerRoutes(app);
  await adjustmentsRoutes(app);
  await ratesRoutes(app);
  await meteringRoutes(app);
  await billingRoutes(app);
  const jobs = await openJobs(deps, app.log);
  app.addHook("onClose", () => jobs.stop());
  await billRunRoutes(app, jobs);
  await billInsightRoutes(app);
  await policyRoutes(app, POLICY_SOURCES);
  await creditRoutes(app);
  await collectionsRoutes(app);
  await levelPayRoutes(app);
  await ordersRoutes(app);

  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDist, prefix: "/", wildcard: false, index: ["index.html"] });
  }
  return app;
}
