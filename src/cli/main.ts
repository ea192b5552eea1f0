import { Command, Option } from "commander";
import { createToken, createUser, ROLE_NAMES } from "../modules/identity/index.js";
import { Problem } from "../platform/errors.js";
import { migrate } from "../platform/migrate.js";
import { openRuntime, printJson, say } from "./runtime.js";

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
  .command("migrate")
  .description("apply pending database migrations")
  .action(async () => {
    const { database } = await openRuntime();
    const applied = await migrate(database);
    say(applied.length ? `applied ${applied.join(", ")}` : "the database is up to date");
    printJson({ applied });
    await database.close();
  });

const user = program.command("user").description("users");
user
  .command("create")
  .description("create a user")
  .requiredOption("--username <name>")
  .requiredOption("--password <password>", "at least 12 characters")
  .addOption(new Option("--role <role...>", "one or more roles").choices(ROLE_NAMES).makeOptionMandatory())
  .option("--name <display name>")
  .option("--email <email>")
  .action(async (opts: { username: string; password: string; role: string[]; name?: string; email?: string }) => {
    const { database, ctx } = await openRuntime();
    try {
      printJson(
        await createUser(ctx, {
          username: opts.username,
          password: opts.password,
          roles: opts.role,
          display_name: opts.name ?? opts.username,
          email: opts.email ?? null,
        }),
      );
    } finally {
      await database.close();
    }
  });

const token = program.command("token").description("API tokens");
token
  .command("create")
  .description("issue an API token for a user; prints only the token")
  .requiredOption("--user <name>")
  .option("--name <label>", "what the token is for", "cli")
  .action(async (opts: { user: string; name: string }) => {
    const { database, ctx } = await openRuntime();
    try {
      const created = await createToken(ctx, opts.user, opts.name);
      process.stdout.write(`${created.token}\n`);
    } finally {
      await database.close();
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof Problem) {
    say(`error: ${err.message}${Array.isArray(err.extra.errors) ? ` ${JSON.stringify(err.extra.errors)}` : ""}`);
  } else {
    say(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
});
