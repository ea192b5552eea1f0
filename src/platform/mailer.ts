/**
 * Outgoing email: a Mailer sends one message and answers its message id. The SMTP mailer goes through nodemailer to
 * the server KILOWATT_SMTP_URL names, from KILOWATT_MAIL_FROM; a test or an embedding program may set its own mailer
 * for a configuration instead.
 */
import nodemailer from "nodemailer";
import type { Config } from "./config.js";

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface MailMessage {
  to: { name?: string; address: string };
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

export interface Mailer {
  send(msg: MailMessage): Promise<{ messageId: string }>;
  /** Ends the mailer's connections (a mailer made by withMailer is closed when its work ends). */
  close?(): void;
}

/** The server answered and would not take this message (a recipient or the message refused). */
export class MailRefused extends Error {
  override name = "MailRefused";
}

/** The server could not be reached or talked to (connection, TLS, login): later messages would fare no better. */
export class MailUnavailable extends Error {
  override name = "MailUnavailable";
}

type SmtpError = Error & { code?: string; response?: string };

// What the server said to this one message; every other failure is the connection's or the login's.
const MESSAGE_CODES = new Set(["EENVELOPE", "EMESSAGE"]);

const short = (text: string) => (text.length > 200 ? `${text.slice(0, 197)}...` : text);

/** An SMTP mailer through nodemailer: one pooled connection, reused for every message until closed. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(
    {
      url,
      pool: true,
      maxConnections: 1,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    },
    { from },
  );
  return {
    async send(msg) {
      try {
        const info = await transport.sendMail({
          to: msg.to.name ? { name: msg.to.name, address: msg.to.address } : msg.to.address,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          attachments: msg.attachments,
        });
        return { messageId: String(info.messageId) };
      } catch (e) {
        const err = e as SmtpError;
        const said = short((err.response ?? err.message).trim());
        if (err.code && MESSAGE_CODES.has(err.code)) throw new MailRefused(said, { cause: e });
        throw new MailUnavailable(said, { cause: e });
      }
    },
    close() {
      transport.close();
    },
  };
}

/** Mailers set for a configuration, in place of the one its SMTP settings would make (null: no mailer). */
const set = new WeakMap<Config, Mailer | null>();

/** Sends this configuration's mail through `mailer` (null: as if no SMTP server were configured). */
export function setMailer(config: Config, mailer: Mailer | null): void {
  set.set(config, mailer);
}

/**
 * Runs fn with the configuration's mailer: the one set for it, else an SMTP mailer made from KILOWATT_SMTP_URL and
 * KILOWATT_MAIL_FROM for this work and closed after it; null when there is none.
 */
export async function withMailer<T>(config: Config, fn: (mailer: Mailer | null) => Promise<T>): Promise<T> {
  if (set.has(config)) return fn(set.get(config) ?? null);
  if (!config.smtpUrl || !config.mailFrom) return fn(null);
  const mailer = smtpMailer(config.smtpUrl, config.mailFrom);
  try {
    return await fn(mailer);
  } finally {
    mailer.close?.();
  }
}
