// Runs one benchmark, records its result in bench/results/NAME.json (NAME-VARIANT.json for a variant the bench names,
// such as the PGlite run of an HTTP bench) and prints a table.
// Usage: npm run bench -- NAME [options]   (e.g. npm run bench -- seed --accounts 100000)
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What a benchmark module's default export returns. */
export interface BenchOutcome {
  engine: string;
  metrics: Record<string, number | string>;
  /** Recorded as NAME-VARIANT.json instead of NAME.json (e.g. "pglite"), so variants of one bench keep their own result. */
  variant?: string;
}

export type Bench = (args: string[]) => Promise<BenchOutcome>;

const here = path.dirname(fileURLToPath(import.meta.url));

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

function printTable(name: string, metrics: Record<string, number | string>) {
  const rows = Object.entries(metrics).map(([k, v]) => [k, typeof v === "number" ? v.toLocaleString("en-US") : v]);
  const width = Math.max(6, ...rows.map(([k]) => k!.length));
  const valueWidth = Math.max(5, ...rows.map(([, v]) => String(v).length));
  const line = `+${"-".repeat(width + 2)}+${"-".repeat(valueWidth + 2)}+`;
  console.log(`\n${name}`);
  console.log(line);
  console.log(`| ${"metric".padEnd(width)} | ${"value".padStart(valueWidth)} |`);
  console.log(line);
  for (const [k, v] of rows) console.log(`| ${k!.padEnd(width)} | ${String(v).padStart(valueWidth)} |`);
  console.log(line);
}

async function main() {
  const [name, ...args] = process.argv.slice(2);
  if (!name || !/^[a-z0-9-]+$/.test(name)) {
    console.error("usage: npm run bench -- NAME [options]");
    process.exit(2);
  }
  const file = path.join(here, `${name}.ts`);
  if (!existsSync(file)) {
    console.error(`no benchmark named ${name} (bench/${name}.ts)`);
    process.exit(2);
  }
  const bench = (await import(pathToFileURL(file).href)).default as Bench;
  const outcome = await bench(args);
  const recorded = outcome.variant ? `${name}-${outcome.variant}` : name;
  const result = {
    name: recorded,
    date: new Date().toISOString(),
    engine: outcome.engine,
    machine: machine(),
    command: ["npm run bench --", name, ...args].join(" "),
    metrics: outcome.metrics,
  };
  mkdirSync(path.join(here, "results"), { recursive: true });
  const out = path.join(here, "results", `${recorded}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  printTable(`${recorded} (${outcome.engine}) -> ${path.relative(process.cwd(), out)}`, outcome.metrics);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
