import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openPgliteMemory, openPostgres } from "../../src/platform/db.js";
import { migrate } from "../../src/platform/migrate.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** PGlite: a dumped, migrated data dir each test file loads. */
    pgliteTemplate: string;
    /** PostgreSQL: the migrated template database each test file copies. */
    pgTemplate: string;
  }
}

/** Migrates once: a PGlite dump, or a PostgreSQL template database. */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `kw_tmpl_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const database = openPostgres(target.toString(), 2);
    await migrate(database);
    await database.close();
    project.provide("pgTemplate", name);
    project.provide("pgliteTemplate", "");
    return async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  }
  const database = await openPgliteMemory();
  await migrate(database);
  const dump = await database.pglite!.dumpDataDir("none");
  await database.close();
  const dir = path.resolve(".tmp");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteTemplate", file);
  project.provide("pgTemplate", "");
}
