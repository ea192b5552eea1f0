import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Command, Option } from "commander";
import { z } from "zod";
import { centsToDecimal } from "../core/money.js";
import {
  compareInput,
  compareTariffs,
  getTariff,
  importDocument,
  importUrdb,
  listTariffs,
  quoteBill,
  quoteInput,
  SECTORS,
} from "../modules/rates/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";
import { badRequest } from "../platform/errors.js";

/**
 * The tariff book and rate quotes on the command line: `kilowatt tariff list|show|import|import-urdb`, `kilowatt bill
 * quote` and `kilowatt rates compare`. Files are sent as absolute paths, so a command reads the same file whether it
 * runs here or in the server holding the embedded data dir. Data goes to stdout (JSON unless --format table).
 */

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const format = z.enum(["json", "table"]).default("json");

/** Reads a file named on the command line; a missing or unreadable file is refused naming the option. */
function readText(file: string, option: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw badRequest(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, [
      { field: option, message: "cannot be read" },
    ]);
  }
}

function readJson(file: string, option: string): unknown {
  const text = readText(file, option);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`${file} is not JSON: ${(err as Error).message}`, [{ field: option, message: "not JSON" }]);
  }
}

/** Rows as aligned text columns; `right` names the columns aligned right (numbers). */
function table(head: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n`;
}

const dollars = (cents: number) => centsToDecimal(BigInt(cents));

const listArgs = z.object({ format });
const showArgs = z.object({ code: z.string().min(1) });
const importArgs = z.object({ file: z.string().min(1) });
const urdbArgs = z.object({ file: z.string().min(1), code: z.string().min(1).optional() });
const facts = {
  territory: z.string().optional(),
  care: z.boolean().optional(),
  fera: z.boolean().optional(),
  medicalBaseline: z.boolean().optional(),
};
const quoteArgs = z.object({
  /** A tariff code in the book, or tariffFile: the absolute path of a Kilowatt tariff document or URDB record. */
  tariff: z.string().min(1).optional(),
  tariffFile: z.string().min(1).optional(),
  kwh: z.string().optional(),
  demandKw: z.string().optional(),
  intervals: z.string().min(1).optional(),
  from: z.string(),
  to: z.string(),
  format,
  ...facts,
});
const compareArgs = z.object({ usage: z.string().min(1), sector: z.string().optional(), format, ...facts });

/** Parses a request built from options; a refused field is named as the option (or the file's line) that gave it. */
function parsed<S extends z.ZodType>(
  schema: S,
  value: unknown,
  optionOf: (path: PropertyKey[]) => string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ field: optionOf(i.path), message: i.message }));
  throw badRequest(errors.map((e) => `${e.field}: ${e.message}`).join("; "), errors);
}

const QUOTE_OPTIONS: Record<string, string> = {
  tariff_code: "--tariff",
  tariff: "--tariff",
  kwh: "--kwh",
  demand_kw: "--demand-kw",
  intervals_csv: "--intervals",
  medical_baseline: "--medical-baseline",
};
const optionName = (key: PropertyKey) => QUOTE_OPTIONS[String(key)] ?? `--${String(key).replaceAll("_", "-")}`;

/** One month of a usage file: `from,to,kwh[,demand_kw]`; `lines[i]` is the file line of month i. */
function monthsCsv(text: string, lines: number[]) {
  const rows = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = (rows[0] ?? "").trim().toLowerCase().replaceAll(" ", "");
  if (header !== "from,to,kwh" && header !== "from,to,kwh,demand_kw") {
    throw badRequest(`line 1: the header must be "from,to,kwh[,demand_kw]" or "start,kwh", not "${rows[0] ?? ""}"`, [
      { field: "usage", message: "line 1: an unknown header" },
    ]);
  }
  const months: { from: string; to: string; kwh: string; demand_kw?: string }[] = [];
  for (let i = 1; i < rows.length; i++) {
    const l = rows[i]!.trim();
    if (l === "") continue;
    const [from = "", to = "", kwh = "", demand = ""] = l.split(",").map((f) => f.trim());
    months.push({ from, to, kwh, ...(demand ? { demand_kw: demand } : {}) });
    lines.push(i + 1);
  }
  return months;
}

export const tariffListCommand = {
  args: listArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<undefined> {
    const a = raw as z.infer<typeof listArgs>;
    const items = await listTariffs(ctx);
    if (a.format === "json") io.out.write(json({ items }));
    else {
      const feature = (t: (typeof items)[number]) =>
        [t.features.baseline && "baseline", t.features.time_of_use && "time of use", t.features.demand && "demand"]
          .filter(Boolean)
          .join(", ");
      io.out.write(
        table(
          ["code", "name", "sector", "origin", "in force from", "versions", "features"],
          items.map((t) => [
            t.code,
            t.name,
            t.sector,
            t.origin,
            t.current?.effective_from ?? "(not yet)",
            String(t.versions.length),
            feature(t),
          ]),
        ),
      );
    }
    io.err.write(`${items.length} tariffs\n`);
    return undefined;
  },
};

export const tariffShowCommand = {
  args: showArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<undefined> {
    io.out.write(json(await getTariff(ctx, (raw as z.infer<typeof showArgs>).code)));
    return undefined;
  },
};

export const tariffImportCommand = {
  args: importArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<undefined> {
    const a = raw as z.infer<typeof importArgs>;
    const result = await importDocument(ctx, readJson(a.file, "file"));
    io.out.write(json(result));
    io.err.write(
      result.created
        ? `tariff ${result.code} added with ${result.added.length} version(s)\n`
        : result.added.length > 0
          ? `tariff ${result.code}: added version(s) ${result.added.join(", ")}\n`
          : `tariff ${result.code}: the book already has every version of the file\n`,
    );
    return undefined;
  },
};

export const tariffImportUrdbCommand = {
  args: urdbArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<undefined> {
    const a = raw as z.infer<typeof urdbArgs>;
    const result = await importUrdb(ctx, readJson(a.file, "file"), { code: a.code });
    io.out.write(json(result));
    io.err.write(`imported ${result.imported.length} URDB record(s)\n`);
    return undefined;
  },
};

export const billQuoteCommand = {
  args: quoteArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<undefined> {
    const a = raw as z.infer<typeof quoteArgs>;
    const input = parsed(
      quoteInput,
      {
        ...(a.tariffFile !== undefined ? { tariff: readJson(a.tariffFile, "tariff") } : { tariff_code: a.tariff }),
        from: a.from,
        to: a.to,
        kwh: a.kwh,
        demand_kw: a.demandKw,
        intervals_csv: a.intervals !== undefined ? readText(a.intervals, "intervals") : undefined,
        territory: a.territory,
        care: a.care,
        fera: a.fera,
        medical_baseline: a.medicalBaseline,
      },
      (p) => optionName(p[0] ?? ""),
    );
    const q = await quoteBill(ctx, input);
    if (a.format === "json") io.out.write(json(q));
    else {
      const rows = q.lines.map((l) => [l.description, l.quantity, l.unit, l.price, dollars(l.amount_cents)]);
      rows.push(["Total", "", "", "", dollars(q.total_cents)]);
      io.out.write(table(["line", "quantity", "unit", "price", "amount"], rows, new Set([1, 3, 4])));
    }
    io.err.write(`${q.tariff_code} ${q.from}..${q.to} (${q.days} days, ${q.kwh} kWh): $${dollars(q.total_cents)}\n`);
    return undefined;
  },
};

export const ratesCompareCommand = {
  args: compareArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<undefined> {
    const a = raw as z.infer<typeof compareArgs>;
    const text = readText(a.usage, "usage");
    const intervals = /^\uFEFF?\s*start\s*,/i.test(text);
    const lines: number[] = [];
    const input = parsed(
      compareInput,
      {
        ...(a.sector !== undefined ? { sector: a.sector } : {}),
        ...(intervals ? { intervals_csv: text } : { months: monthsCsv(text, lines) }),
        territory: a.territory,
        care: a.care,
        fera: a.fera,
        medical_baseline: a.medicalBaseline,
      },
      (p) =>
        p[0] === "months" && typeof p[1] === "number"
          ? `--usage line ${lines[p[1]] ?? "?"}${p[2] !== undefined ? ` (${String(p[2])})` : ""}`
          : p[0] === "intervals_csv" || p[0] === "months"
            ? "--usage"
            : optionName(p[0] ?? ""),
    );
    const c = await compareTariffs(ctx, input);
    if (a.format === "json") io.out.write(json(c));
    else {
      io.out.write(
        table(
          ["tariff", "name", "total", "basis"],
          c.rows.map((r) => [r.tariff_code, r.name, dollars(r.total_cents), r.basis]),
          new Set([2]),
        ),
      );
      for (const r of c.refused) io.out.write(`not offered: ${r.tariff_code}: ${r.reason}\n`);
    }
    io.err.write(`${c.rows.length} tariffs compared, ${c.refused.length} could not price this usage\n`);
    return undefined;
  },
};

type Run = (name: string, args: unknown) => Promise<number>;
const exit = (run: Run, name: string, args: unknown) => async () => {
  process.exitCode = await run(name, args);
};
const formatOption = () =>
  new Option("--format <format>", "json for machines, or table for people").choices(["json", "table"]).default("json");
const factOptions = (c: Command) =>
  c
    .option("--territory <letter>", "the baseline territory (tariffs with a baseline need one)")
    .option("--care", "the customer is on CARE")
    .option("--fera", "the customer is on FERA")
    .option("--medical-baseline", "the customer has a medical baseline allowance");

interface FactOpts {
  territory?: string;
  care?: boolean;
  fera?: boolean;
  medicalBaseline?: boolean;
}
const factsOf = (o: FactOpts) => ({
  territory: o.territory,
  care: o.care,
  fera: o.fera,
  medicalBaseline: o.medicalBaseline,
});

/** The program's command group of this name (another part of the CLI may have added it already), or a new one. */
const group = (program: Command, name: string, description: string) =>
  program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);

/** Adds `tariff ...`, `bill quote` and `rates compare` to the program; `run` runs a command wherever the data is. */
export function addRatesCommands(program: Command, run: Run) {
  const tariff = group(program, "tariff", "the tariff book: rate schedules and their versions");
  tariff
    .command("list")
    .description("the tariffs in the book, by code")
    .addOption(formatOption())
    .action(async (o: { format: string }) => exit(run, "tariff list", { format: o.format })());
  tariff
    .command("show")
    .description("one tariff with its whole document (JSON)")
    .argument("<code>", "the tariff's code")
    .action(async (code: string) => exit(run, "tariff show", { code })());
  tariff
    .command("import")
    .description("add a tariff from a Kilowatt tariff document, or add the versions of it the book lacks")
    .argument("<file>", "the tariff document (JSON)")
    .action(async (file: string) => exit(run, "tariff import", { file: path.resolve(file) })());
  tariff
    .command("import-urdb")
    .description("import OpenEI URDB rate records (one, an array, or {items}) converted to the Kilowatt format")
    .argument("<file>", "the URDB JSON")
    .option("--code <code>", "the tariff code to file them under")
    .action(async (file: string, o: { code?: string }) =>
      exit(run, "tariff import-urdb", { file: path.resolve(file), code: o.code })(),
    );

  const bill = group(program, "bill", "bills");
  factOptions(
    bill
      .command("quote")
      .description("price a period's usage on a tariff: the bill's lines and total, nothing stored")
      .requiredOption("--tariff <file-or-code>", "a Kilowatt tariff file or URDB record file, else a code in the book")
      .requiredOption("--from <date>", "the first service day, YYYY-MM-DD")
      .requiredOption("--to <date>", "the last service day (inclusive), YYYY-MM-DD")
      .option("--kwh <n>", "the kWh used (a register reading)")
      .option("--demand-kw <n>", "the demand register's kW")
      .option("--intervals <file>", "interval data instead of --kwh: CSV start,kwh"),
  )
    .addOption(formatOption())
    .action(async (o: FactOpts & Record<string, string | undefined>) => {
      const file = o.tariff !== undefined && existsSync(o.tariff) ? path.resolve(o.tariff) : undefined;
      await exit(run, "bill quote", {
        ...(file ? { tariffFile: file } : { tariff: o.tariff }),
        from: o.from,
        to: o.to,
        kwh: o.kwh,
        demandKw: o.demandKw,
        intervals: o.intervals !== undefined ? path.resolve(o.intervals) : undefined,
        format: o.format,
        ...factsOf(o),
      })();
    });

  const rates = group(program, "rates", "rate analysis");
  factOptions(
    rates
      .command("compare")
      .description("what a customer's usage costs on each tariff of a sector, cheapest first")
      .requiredOption("--usage <file>", "CSV: from,to,kwh[,demand_kw] (months) or start,kwh (intervals)")
      .addOption(new Option("--sector <sector>", "the tariffs compared").choices(SECTORS).default("residential")),
  )
    .addOption(formatOption())
    .action(async (o: FactOpts & { usage: string; sector: string; format: string }) =>
      exit(run, "rates compare", {
        usage: path.resolve(o.usage),
        sector: o.sector,
        format: o.format,
        ...factsOf(o),
      })(),
    );
}
