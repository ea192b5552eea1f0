// Search under load: queries as callers give them, at a fixed rate against the API, on the database the seed bench left.
// The mix: surnames (30%, exact) and misspelled surnames (30%: two letters swapped, one dropped or one wrong), each
// narrowed as a CSR does while more than five customers match (given name, then the house number of the service
// address); account numbers 12%, phone numbers 10%, emails 5%, street addresses 9% (with unit and town when shared),
// meter numbers 4%.
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
  unit: string | null;
  city: string;
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

interface Draft extends Omit<Query, "q"> {
  /** What the CSR types, most general first: more is asked of the caller only while the name is ambiguous. */
  steps: string[];
}

/**
 * Queries as callers give them. Numbers and emails are typed once. A name starts with the surname (exact
 * or misspelled); while the results show more than five customers, the CSR asks for the given name, then the house
 * number of the service address, and types on; a street address shared by more than five accounts gets its unit and
 * town. The recall counts the last query typed.
 */
function draftsFor(rng: Rng, samples: Sample[], count: number): Draft[] {
  const out: Draft[] = [];
  while (out.length < count) {
    const s = rng.pick(samples);
    const r = rng.next();
    const name = `${s.last_name}, ${s.first_name}`;
    const add = (kind: string, ...steps: (string | null)[]) =>
      steps.every(Boolean) && out.push({ steps: steps as string[], kind, account_id: Number(s.account_id), name });
    const house = s.address.split(" ")[0]!;
    const byName = (last: string) => [last, `${s.first_name} ${last}`, `${s.first_name} ${last} ${house}`];
    if (r < 0.3) add("surname", ...byName(s.last_name));
    else if (r < 0.6 && s.last_name.length >= 4) add("surname_misspelled", ...byName(misspell(rng, s.last_name)));
    else if (r < 0.72) add("account_number", s.account_number);
    else if (r < 0.82) add("phone", `(${s.phone.slice(2, 5)}) ${s.phone.slice(5, 8)}-${s.phone.slice(8)}`);
    else if (r < 0.87) add("email", s.email);
    else if (r < 0.96) add("address", s.address, [s.address, s.unit, s.city].filter(Boolean).join(", "));
    else add("meter", s.meter);
  }
  return out;
}

/** Types each draft's steps until the results fit on the first page (five), as a CSR narrows a common name. */
async function narrow(ctx: Ctx, drafts: Draft[]): Promise<(Query & { typed: string[] })[]> {
  const out: (Query & { typed: string[] })[] = [];
  for (const d of drafts) {
    const typed: string[] = [];
    for (const q of d.steps) {
      typed.push(q);
      if ((await search(ctx, q, 6)).length <= 5) break;
    }
    out.push({ q: typed[typed.length - 1]!, typed, kind: d.kind, account_id: d.account_id, name: d.name });
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
                 pr.address_line1 AS address, pr.address_line2 AS unit, pr.city,
                 m.meter_number AS meter, p.identity_last4 AS last4
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
    const queries = await narrow(ctx, draftsFor(new Rng(42), samples, Number(values.queries)));
    if (process.env.KW_DUMP_QUERIES)
      (await import("node:fs")).writeFileSync(process.env.KW_DUMP_QUERIES, JSON.stringify(queries));

    // Recall as the workstation issue defines it: the right account among the first 5 results, per kind of query.
    const kindsOf = [...new Set(queries.map((q) => q.kind))];
    const metrics: Record<string, number> = {};
    const share = (n: number, of: number) => Math.round((n / Math.max(1, of)) * 1000) / 10;
    for (const kind of kindsOf) {
      const sample = queries.filter((q) => q.kind === kind).slice(0, 400);
      let hits = 0;
      for (const q of sample) {
        const results = await search(ctx, q.q, 5);
        if (results.some((r) => r.account_id === q.account_id)) hits++;
      }
      metrics[`recall_at_5_${kind}_pct`] = share(hits, sample.length);
    }
    // How far the CSR had to narrow a name: the surname alone, with the given name, or with the house number too.
    for (const kind of ["surname", "surname_misspelled"]) {
      const named = queries.filter((q) => q.kind === kind);
      for (const [i, what] of ["alone", "with_given_name", "with_house_number"].entries())
        metrics[`${kind}_typed_${what}_pct`] = share(
          named.filter((q) => q.typed.length === i + 1).length,
          named.length,
        );
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

    // Every query a CSR typed goes into the load, the narrowing steps included.
    const paths = queries.flatMap((q) => q.typed.map((t) => `/api/v1/search?q=${encodeURIComponent(t)}`));
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
        ...metrics,
        ...kinds,
      },
    };
  } finally {
    await app.close();
    await database.close();
  }
}
