import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { type Mailer, setMailer, withMailer } from "./mailer.js";

const base = { KILOWATT_DATA_KEY: "07".repeat(32), KILOWATT_DATA_DIR: ".tmp/unused" };

describe("mail configuration", () => {
  it("reads the SMTP server and the sender", () => {
    const config = loadConfig({
      ...base,
      KILOWATT_SMTP_URL: "smtp://notices:s3cret@mail.utility.example:587",
      KILOWATT_MAIL_FROM: "City Power Notices <notices@utility.example>",
    });
    expect(config.smtpUrl).toBe("smtp://notices:s3cret@mail.utility.example:587");
    expect(config.mailFrom).toBe("City Power Notices <notices@utility.example>");
    expect(loadConfig(base)).toMatchObject({ smtpUrl: undefined, mailFrom: undefined });
    expect(
      loadConfig({ ...base, KILOWATT_SMTP_URL: "smtps://mail.utility.example", KILOWATT_MAIL_FROM: "a@b.example" }),
    ).toMatchObject({ smtpUrl: "smtps://mail.utility.example", mailFrom: "a@b.example" });
  });

  it("names the variable of a malformed setting, never repeating the password", () => {
    const bad = (env: Record<string, string>) => () => loadConfig({ ...base, ...env });
    expect(bad({ KILOWATT_SMTP_URL: "mail.utility.example:587", KILOWATT_MAIL_FROM: "a@b.example" })).toThrow(
      /^KILOWATT_SMTP_URL: the scheme must be smtp: or smtps:/,
    );
    expect(bad({ KILOWATT_SMTP_URL: "smtp://user:s3cret@host:99999", KILOWATT_MAIL_FROM: "a@b.example" })).toThrow(
      /^KILOWATT_SMTP_URL: not a URL/,
    );
    expect(bad({ KILOWATT_SMTP_URL: "https://user:s3cret@host", KILOWATT_MAIL_FROM: "a@b.example" })).toThrow(
      /^KILOWATT_SMTP_URL: the scheme must be smtp: or smtps:, not https:$/,
    );
    for (const url of ["smtp://user:s3cret@host:99999", "https://user:s3cret@host"]) {
      expect(bad({ KILOWATT_SMTP_URL: url, KILOWATT_MAIL_FROM: "a@b.example" })).not.toThrow(/s3cret/);
    }
    expect(bad({ KILOWATT_SMTP_URL: "smtp://mail.utility.example" })).toThrow(
      /^KILOWATT_MAIL_FROM is required with KILOWATT_SMTP_URL/,
    );
    expect(bad({ KILOWATT_MAIL_FROM: "notices at utility" })).toThrow(/^KILOWATT_MAIL_FROM: not an email address/);
    expect(bad({ KILOWATT_MAIL_FROM: "Notices <notices>" })).toThrow(/^KILOWATT_MAIL_FROM: not an email address/);
  });
});

describe("the mailer of a configuration", () => {
  it("is none without an SMTP server, and the one set for the configuration when there is one", async () => {
    expect(await withMailer(loadConfig(base), async (m) => m)).toBeNull();
    const config = loadConfig(base);
    const mine: Mailer = { send: async () => ({ messageId: "<1@test>" }) };
    setMailer(config, mine);
    expect(await withMailer(config, async (m) => m)).toBe(mine);
    const smtp = loadConfig({ ...base, KILOWATT_SMTP_URL: "smtp://127.0.0.1:1", KILOWATT_MAIL_FROM: "a@b.example" });
    expect(await withMailer(smtp, async (m) => typeof m?.send)).toBe("function");
  });
});
