// Search under load: a realistic mix of queries at a fixed rate against the API, on the database the seed bench left.
// Options: --database NAME (default kilowatt_bench, seeded by `npm run bench -- seed`), --rate N (requests/s,
// default 100), --duration S (default 30), --queries N (default 2000).
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { buildApp } from "../src/app.js";
import { createToken, createUser } from "../src/modules/identity/index.js";
import { search } from "../src/modules/search/index.js";
import { systemClock } from "../src/platform/clock.js";
import { loadConfig } from "../src/platform/config.js";
import { type Ctx, systemActor } from "../src/platform/context.js";
import { openPostgres } from "../src/platform/db.js";
import { Rng } from "../src/seed/random.js";
import type { BenchOutcome } from "./run.js";

interface Sample {
  account_id: number;
  account_number: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string;
  address: string;
  meter: string | null;
  last4: string | null;
}

interface Query {
  q: string;
  kind: string;
  account_id: number;
  /** The customer's name as search shows it. */
  name: string;
}

/** A misspelling of a surname: two neighbours swapped, one letter dropped, or one wrong. */
function misspell(rng: Rng, word: string): string {
  const i = rng.int(1, Math.max(1, word.length - 2));
  switch (rng.int(0, 2)) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    default: {
      const wrong = word[i] === "e" ? "a" : "e";
      return word.slice(0, i) + wrong + word.slice(i + 1);
    }
  }
}

function queriesFor(rng: Rng, samples: Sample[], count: number): Query[] {
  const out: Query[] = [];
  while (out.length < count) {
    const s = rng.pick(samples);
    const r = rng.next();
    const name = `${s.last_name}, ${s.first_name}`;
    const add = (kind: string, q: string | null) => q && out.push({ q, kind, account_id: Number(s.account_id), name });
    if (r < 0.3) add("name", `${s.first_name} ${s.last_name}`);
    else if (r < 0.55 && s.last_name.length >= 4) add("misspelled", `${s.first_name} ${misspell(rng, s.last_name)}`);
    else if (r < 0.65 && s.last_name.length >= 4) add("misspelled_surname", misspell(rng, s.last_name));
    else if (r < 0.75) add("account_number", s.account_number);
    else if (r < 0.83) add("phone", `(${s.phone.slice(2, 5)}) ${s.phone.slice(5, 8)}-${s.phone.slice(8)}`);
    else if (r < 0.88) add("email", s.email);
    else if (r < 0.95) add("address", s.address);
    else if (r < 0.98) add("meter", s.meter);
    else add("last4", s.last4);
  }
  return out;
}

const pct = (sorted: number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]! * 10) / 10;

/**
 * An open-loop load: one request every 1/rate seconds whatever the answers, each timed from when it was due (so a
 * slow answer that delays the next ones is counted against them too). autocannon's rate mode sends each second's
 * requests in one burst per connection, which measures a burst, not a steady rate.
 */
async function openLoop(port: number, token: string, paths: string[], rate: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const total = Math.round(rate * seconds);
  const start = performance.now() + 50;
  const pending: Promise<void>[] = [];
  const one = (path: string, due: number) =>
    new Promise<void>((resolve) => {
      const req = http.get(
        { host: "127.0.0.1", port, path, agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode !== 200) non2xx++;
            latencies.push(performance.now() - due);
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
    });
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(one(paths[i % paths.length]!, due));
  }
  await Promise.all(pending);
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), non2xx, errors };
}

export default async function searchBench(argv: string[]): Promise<BenchOutcome> {
  const { values } = parseArgs({
    args: argv,
    options: {
      database: { type: "string", default: "kilowatt_bench" },
      rate: { type: "string", default: "100" },
      duration: { type: "string", default: "30" },
      queries: { type: "string", default: "2000" },
    },
  });
  const url = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/${values.database}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    KILOWATT_DATA_KEY: process.env.KILOWATT_DATA_KEY || randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
  });
  const database = openPostgres(url.toString(), 10);
  const ctx: Ctx = {
    database,
    db: database.db,
    clock: systemClock(config.timezone),
    config,
    actor: systemActor("bench"),
    requestId: "bench-search",
  };
  const app = await buildApp({ database, clock: ctx.clock, config, logger: false });
  try {
    const [{ n } = { n: 0n }] = await database.rows<{ n: bigint }>(
      database.db,
      sql`SELECT count(*) AS n FROM accounts`,
    );
    if (n === 0n) throw new Error(`no accounts in ${values.database}: run \`npm run bench -- seed\` first`);
    const samples = await database.rows<Sample>(
      database.db,
      sql`SELECT a.id AS account_id, a.account_number, p.first_name, p.last_name, p.email, ph.number AS phone,
                 pr.address_line1 AS address, m.meter_number AS meter, p.identity_last4 AS last4
            FROM (SELECT id FROM accounts TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT 1000) pick
            JOIN accounts a ON a.id = pick.id
            JOIN parties p ON p.id = a.main_party_id AND p.kind = 'person'
            JOIN party_phones ph ON ph.party_id = p.id AND ph.is_primary
            JOIN service_agreements sa ON sa.account_id = a.id
            JOIN service_points sp ON sp.id = sa.service_point_id
            JOIN premises pr ON pr.id = sp.premise_id
            LEFT JOIN meter_installations mi ON mi.service_point_id = sp.id AND mi.removed_on IS NULL
            LEFT JOIN meters m ON m.id = mi.meter_id`,
    );
    const queries = queriesFor(new Rng(42), samples, Number(values.queries));
    if (process.env.KW_DUMP_QUERIES)
      (await import("node:fs")).writeFileSync(process.env.KW_DUMP_QUERIES, JSON.stringify(queries));

    // How often a misspelled name still finds its customer: the very account, or (a common name has hundreds of
    // holders, and only 20 results) someone of exactly that name.
    const misspelled = queries.filter((q) => q.kind === "misspelled").slice(0, 300);
    let foundAccount = 0;
    let foundName = 0;
    for (const m of misspelled) {
      const results = await search(ctx, m.q, 20);
      if (results.some((r) => r.account_id === Number(m.account_id))) foundAccount++;
      if (results.some((r) => r.name === m.name)) foundName++;
    }

    // Recall as the workstation issue defines it: the right account among the first 5 results, per kind of query.
    const recallAt5: Record<string, number> = {};
    for (const kind of [...new Set(queries.map((q) => q.kind))]) {
      const sample = queries.filter((q) => q.kind === kind).slice(0, 200);
      let hits = 0;
      for (const q of sample) {
        const results = await search(ctx, q.q, 5);
        if (results.some((r) => r.account_id === Number(q.account_id))) hits++;
      }
      recallAt5[`recall_at_5_${kind}_pct`] = Math.round((hits / Math.max(1, sample.length)) * 1000) / 10;
    }

    const username = `bench-${randomBytes(4).toString("hex")}`;
    await createUser(ctx, {
      username,
      display_name: "Search bench",
      password: randomBytes(18).toString("hex"),
      roles: ["csr"],
    });
    const { token } = await createToken(ctx, username, "bench");
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as AddressInfo).port;

    const paths = queries.map((q) => `/api/v1/search?q=${encodeURIComponent(q.q)}`);
    console.error(`${paths.length} queries at ${values.rate}/s for ${values.duration} s`);
    const result = await openLoop(port, token, paths, Number(values.rate), Number(values.duration));
    const kinds = Object.fromEntries(
      [...new Set(queries.map((q) => q.kind))].map((k) => [`mix_${k}`, queries.filter((q) => q.kind === k).length]),
    );
    const [version] = await database.rows<{ v: string }>(database.db, sql`SHOW server_version`);
    return {
      engine: `postgres ${version?.v ?? ""}`.trim(),
      metrics: {
        accounts: Number(n),
        rate_per_second: Number(values.rate),
        duration_seconds: Number(values.duration),
        requests: result.latencies.length,
        latency_p50_ms: pct(result.latencies, 0.5),
        latency_p90_ms: pct(result.latencies, 0.9),
        latency_p99_ms: pct(result.latencies, 0.99),
        latency_max_ms: pct(result.latencies, 1),
        target_p99_ms: 50,
        non_2xx: result.non2xx,
        errors: result.errors,
        misspelled_account_found_pct: Math.round((foundAccount / Math.max(1, misspelled.length)) * 1000) / 10,
        misspelled_name_found_pct: Math.round((foundName / Math.max(1, misspelled.length)) * 1000) / 10,
        ...recallAt5,
        ...kinds,
      },
    };
  } finally {
    await app.close();
    await database.close();
  }
}
