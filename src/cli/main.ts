import { Command, Option } from "commander";
import { ROLE_NAMES } from "../modules/identity/index.js";
import { addBillingCommands } from "./billing.js";
import { describeError } from "./commands.js";
import { dispatch } from "./dispatch.js";
import { addRefundExport } from "./exports-refunds.js";
import { addLevelPayCommands } from "./level-pay.js";
import { addLockboxCommands } from "./lockbox.js";
import { addMeteringCommands } from "./metering.js";
import { addPolicyCommands } from "./policy.js";
import { addRatesCommands } from "./rates.js";
import { say } from "./runtime.js";
import { addServiceCommands } from "./service.js";

const program = new Command("kilowatt").description("Kilowatt customer information system").showHelpAfterError();

program
  .command("serve")
  .description("serve the API and the workstation")
  .option(
    "--seed-if-empty <accounts>",
    "on an empty database, seed demo users and this many synthetic accounts",
    Number,
  )
  .action(async (opts: { seedIfEmpty?: number }) => {
    const { serve } = await import("./serve.js");
    await serve({ seedIfEmpty: opts.seedIfEmpty });
  });

program
  .command("worker")
  .description("run the background job workers (bill runs) without the HTTP server; PostgreSQL only")
  .action(async () => {
    const { work } = await import("./serve.js");
    await work();
  });

// Data commands run through dispatch: directly on the database, or through the server that holds the embedded one.
const run = (name: string) => async (opts: unknown) => {
  process.exitCode = await dispatch(name, opts);
};

program.command("migrate").description("apply pending database migrations").action(run("migrate"));

const user = program.command("user").description("users");
user
  .command("create")
  .description("create a user")
  .requiredOption("--username <name>")
  .requiredOption("--password <password>", "at least 12 characters")
  .addOption(new Option("--role <role...>", "one or more roles").choices(ROLE_NAMES).makeOptionMandatory())
  .option("--name <display name>")
  .option("--email <email>")
  .action(run("user create"));

const token = program.command("token").description("API tokens");
token
  .command("create")
  .description("issue an API token for a user; prints only the token")
  .requiredOption("--user <name>")
  .option("--name <label>", "what the token is for", "cli")
  .action(run("token create"));

program
  .command("seed")
  .description("add a deterministic synthetic utility: customers, accounts, premises, meters, agreements, contacts")
  .requiredOption("--accounts <n>", "how many accounts to add", Number)
  .option("--seed <s>", "the seed: the same seed and business date give the same utility", Number, 1)
  .action(run("seed"));

const ledger = program.command("ledger").description("the general journal and receivables");
ledger
  .command("verify")
  .description("prove every entry balances and every account's items and cached balance agree with its postings")
  .addOption(new Option("--format <format>", "text, or json for machines").choices(["text", "json"]).default("text"))
  .action(run("ledger verify"));

const exports = program.command("export").description("files for the utility's other systems");
exports
  .command("gl-summary")
  .description("the daily GL summary (per business date and GL account) as CSV on stdout, for the ERP")
  .requiredOption("--from <date>", "the first business date, YYYY-MM-DD")
  .option("--to <date>", "the last business date (inclusive); --from when left out")
  .addOption(new Option("--format <format>", "csv, or json").choices(["csv", "json"]).default("csv"))
  .action(run("export gl-summary"));
addRefundExport(exports, run);

addLockboxCommands(program, dispatch);
addRatesCommands(program, dispatch);
addMeteringCommands(program, dispatch);
addBillingCommands(program, dispatch);
addPolicyCommands(program, dispatch);
addLevelPayCommands(program, dispatch);
addServiceCommands(program, dispatch);

program.parseAsync(process.argv).catch((err: unknown) => {
  say(describeError(err));
  process.exit(1);
});
