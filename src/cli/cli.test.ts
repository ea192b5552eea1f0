import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { channelFile } from "../platform/command-channel.js";
import { seededAccountNumber } from "../seed/numbers.js";

// The real `kilowatt` command in child processes: a server, and CLI commands beside it.
const run = promisify(execFile);
const main = path.resolve("src/cli/main.ts");
const nodeArgs = ["--import", "tsx", main];

interface Server {
  child: ChildProcess;
  url: string;
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", HOST: "127.0.0.1", PORT: "0", ...extra };
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  delete env.KILOWATT_NOW;
  return env;
}

/** Starts `kilowatt serve` and waits until it says where it listens. */
function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, [...nodeArgs, "serve", "--seed-if-empty", "20"], { env, stdio: "pipe" });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${err}`)), 90_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /serving (http:\/\/localhost:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${err}`));
    });
  });
}

async function stopServer(server: Server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

const kilowatt = (args: string[], env: NodeJS.ProcessEnv) =>
  run(process.execPath, [...nodeArgs, ...args], { env, timeout: 90_000 });

async function searchAs(server: Server, token: string, q: string) {
  const res = await fetch(`${server.url}/api/v1/search?q=${encodeURIComponent(q)}&limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { account_id: number }[] }).results;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("the CLI while the embedded server runs", () => {
  it("sends token create, seed and migrate through the server, and runs alone once it stops", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "kilowatt-cli-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const env = baseEnv({ KILOWATT_DATA_DIR: dataDir });
    const server = await startServer(env);
    cleanups.push(() => stopServer(server));

    // The credential the server leaves for the CLI is readable by its owner only.
    expect(statSync(channelFile(dataDir)).mode & 0o777).toBe(0o600);

    const token = await kilowatt(["token", "create", "--user", "admin"], env);
    expect(token.stdout).toMatch(/^\S+\n$/);
    const bearer = token.stdout.trim();

    const seeded = await kilowatt(["seed", "--accounts", "50", "--seed", "3"], env);
    expect(JSON.parse(seeded.stdout)).toMatchObject({ accounts: 50, first_account_id: 21, last_account_id: 70 });
    expect(seeded.stderr).toMatch(/seeded 50 accounts/);

    const migrated = await kilowatt(["migrate"], env);
    expect(JSON.parse(migrated.stdout)).toEqual({ applied: [] });

    // The server sees what the commands did: the token signs in, the seeded accounts are found.
    const found = await searchAs(server, bearer, seededAccountNumber(21));
    expect(found.map((r) => r.account_id)).toEqual([21]);
    const bad = await kilowatt(["seed", "--accounts", "0"], env).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toMatch(/--accounts/);

    await stopServer(server);
    const alone = await kilowatt(["token", "create", "--user", "admin", "--name", "after"], env);
    expect(alone.stdout).toMatch(/^\S+\n$/);
    expect(alone.stdout).not.toBe(token.stdout);
  }, 180_000);
});

describe.runIf(Boolean(process.env.DATABASE_URL))("the CLI beside a server on PostgreSQL", () => {
  it("connects directly while the server runs", async () => {
    const url = new URL(process.env.DATABASE_URL!);
    const name = `kw_cli_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("pgTemplate")}`);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    url.pathname = `/${name}`;
    const env = baseEnv({ DATABASE_URL: url.toString(), KILOWATT_DATA_KEY: randomBytes(32).toString("hex") });
    const server = await startServer(env);
    cleanups.push(() => stopServer(server));
    const token = (await kilowatt(["token", "create", "--user", "admin"], env)).stdout.trim();
    const seeded = await kilowatt(["seed", "--accounts", "50"], env);
    expect(JSON.parse(seeded.stdout)).toMatchObject({ accounts: 50, first_account_id: 21 });
    expect((await searchAs(server, token, seededAccountNumber(70))).map((r) => r.account_id)).toEqual([70]);
  }, 180_000);

  it("queues a bill run on an API server without workers, and `kilowatt worker` elsewhere bills it", async () => {
    const url = new URL(process.env.DATABASE_URL!);
    const name = `kw_cli_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("pgTemplate")}`);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    url.pathname = `/${name}`;
    const env = baseEnv({ DATABASE_URL: url.toString(), KILOWATT_DATA_KEY: randomBytes(32).toString("hex") });
    const server = await startServer({ ...env, KILOWATT_WORKERS: "off" });
    cleanups.push(() => stopServer(server));
    const token = (await kilowatt(["token", "create", "--user", "billing_analyst"], env)).stdout.trim();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    // A cycle not billed today (the demo history may have billed one or two).
    const runs = (await (await fetch(`${server.url}/api/v1/bill-runs`, { headers })).json()) as {
      items: { cycle: string; bill_date: string }[];
    };
    const today = new Date().toLocaleDateString("en-CA", { timeZone: "America/Los_Angeles" });
    const cycle = ["21", "20", "19", "18"].find(
      (c) => !runs.items.some((r) => r.cycle === c && r.bill_date === today),
    )!;
    const started = await fetch(`${server.url}/api/v1/bill-runs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ cycle, bill_date: today }),
    });
    expect(started.status).toBe(202);
    const id = ((await started.json()) as { id: number }).id;
    const status = async () =>
      ((await (await fetch(`${server.url}/api/v1/bill-runs/${id}`, { headers })).json()) as { status: string }).status;
    // Queued, and nobody works the queue: the run waits.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await status()).toBe("running");

    const worker = spawn(process.execPath, [...nodeArgs, "worker"], { env, stdio: "pipe" });
    cleanups.push(async () => {
      if (worker.exitCode === null) worker.kill("SIGTERM");
    });
    let said = "";
    worker.stderr!.on("data", (d) => {
      said += String(d);
    });
    const end = Date.now() + 60_000;
    while ((await status()) !== "completed" && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    expect(await status()).toBe("completed");
    expect(said).toMatch(
      /workers are running \(jobs: bill-run, service-stops-daily, deposit-refunds, collections-daily, level-pay-daily\)/,
    );
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 180_000);
});
