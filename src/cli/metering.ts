import { readFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { exportGreenButton, importGreenButton, importIntervalsCsv, importReadsCsv } from "../modules/metering/index.js";
import type { CommandIO } from "../platform/command-channel.js";
import type { Ctx } from "../platform/context.js";
import { badRequest } from "../platform/errors.js";

/**
 * Meter reads and interval data on the command line: `kilowatt reads import FILE.csv`, `kilowatt intervals import
 * FILE.(xml|csv) [--meter M] [--usage-point ID=METER ...]` and `kilowatt intervals export --meter M --from D --to D`
 * (the Green Button file on stdout). Files go as absolute paths, so a command reads the same file whether it runs
 * here or in the server holding the embedded data dir. Reports go to stdout as JSON, a summary to stderr.
 */

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw badRequest(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, [
      { field: "file", message: "cannot be read" },
    ]);
  }
}

const readsArgs = z.object({ file: z.string().min(1) });
const importArgs = z.object({
  file: z.string().min(1),
  meter: z.string().min(1).optional(),
  usagePoint: z.array(z.string()).optional(),
});
const exportArgs = z.object({ meter: z.string().min(1), from: z.iso.date(), to: z.iso.date() });

export const readsImportCommand = {
  args: readsArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number> {
    const a = raw as z.infer<typeof readsArgs>;
    const report = await importReadsCsv(ctx, readText(a.file), path.basename(a.file));
    io.out.write(json(report));
    for (const p of report.problems) {
      io.err.write(`line ${p.line} (${p.meter_number} ${p.read_on}): ${p.outcome}: ${p.reason}\n`);
    }
    io.err.write(
      `${report.lines} lines: ${report.created} created, ${report.held} held, ${report.unchanged} already on file, ${report.refused} refused\n`,
    );
    return 0;
  },
};

/** `usage point=meter` pairs from repeated --usage-point options. */
function pairs(list: readonly string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const p of list) {
    const [up, meter] = p.split("=").map((s) => s.trim());
    if (!up || !meter)
      throw badRequest(`--usage-point ${p}: expected ID=METER`, [{ field: "--usage-point", message: "ID=METER" }]);
    out[up] = meter;
  }
  return out;
}

export const intervalsImportCommand = {
  args: importArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number> {
    const a = raw as z.infer<typeof importArgs>;
    const text = readText(a.file);
    const file = path.basename(a.file);
    const xml = /\.xml$/i.test(a.file) || text.trimStart().startsWith("<");
    const report = xml
      ? await importGreenButton(ctx, text, { meterNumber: a.meter, usagePointMeters: pairs(a.usagePoint), file })
      : await importIntervalsCsv(ctx, text, { meterNumber: a.meter, file });
    io.out.write(json(report));
    for (const m of report.meters) {
      io.err.write(
        `meter ${m.meter_number}: ${m.intervals} intervals of ${m.minutes} minutes over ${m.days} days, ${m.kwh} kWh\n`,
      );
      for (const s of m.skipped) io.err.write(`  ${s.count} x ${s.reason} (e.g. ${s.examples[0]})\n`);
    }
    for (const r of report.reads) {
      io.err.write(
        `meter ${r.meter_number}: ${r.periods} periods as register reads, ${r.kwh} kWh: ${r.reads.created} created, ${r.reads.held} held, ${r.reads.refused} refused\n`,
      );
    }
    for (const s of report.skipped) io.err.write(`not stored: ${s.reason}\n`);
    return 0;
  },
};

export const intervalsExportCommand = {
  args: exportArgs as z.ZodType<unknown>,
  async run(ctx: Ctx, raw: unknown, io: CommandIO): Promise<number> {
    const a = raw as z.infer<typeof exportArgs>;
    io.out.write(await exportGreenButton(ctx, a.meter, a.from, a.to));
    io.err.write(`Green Button file of meter ${a.meter}, ${a.from} to ${a.to}\n`);
    return 0;
  },
};

type Run = (name: string, args: unknown) => Promise<number>;
const group = (program: Command, name: string, description: string) =>
  program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);

/** Adds `reads import`, `intervals import` and `intervals export`; `run` runs a command wherever the data is. */
export function addMeteringCommands(program: Command, run: Run) {
  group(program, "reads", "register meter reads")
    .command("import")
    .description("import register reads from CSV: meter_number,read_on,reading[,demand_kw]")
    .argument("<file>", "the reads file")
    .action(async (file: string) => {
      process.exitCode = await run("reads import", { file: path.resolve(file) });
    });
  const intervals = group(program, "intervals", "interval data (CSV, Green Button)");
  intervals
    .command("import")
    .description("import interval data: a Green Button (ESPI) file, or CSV meter_number,start,kwh or start,kwh")
    .argument("<file>", "the .xml or .csv file")
    .option(
      "--meter <number>",
      "the meter of a one-meter file (start,kwh CSV, or a Green Button file of one usage point)",
    )
    .option("--usage-point <id=meter...>", "a Green Button usage point's meter (repeat for each)")
    .action(async (file: string, o: { meter?: string; usagePoint?: string[] }) => {
      process.exitCode = await run("intervals import", {
        file: path.resolve(file),
        meter: o.meter,
        usagePoint: o.usagePoint,
      });
    });
  intervals
    .command("export")
    .description("a meter's interval data as a Green Button (ESPI) file on stdout")
    .requiredOption("--meter <number>", "the meter")
    .requiredOption("--from <date>", "the first local day, YYYY-MM-DD")
    .requiredOption("--to <date>", "the last local day (inclusive), YYYY-MM-DD")
    .action(async (o: { meter: string; from: string; to: string }) => {
      process.exitCode = await run("intervals export", { meter: o.meter, from: o.from, to: o.to });
    });
}
