// Outgoing email. Every message is recorded in the outbox table; with SMTP configured it is
// also delivered for real, otherwise it is printed to the log so offline installs still work —
// and its link on a plain line of its own on stdout, so an operator can copy it from a terminal
// (the JSON log escapes the newlines around it).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { OutboxRepository } from '../repositories/outbox.repository.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  kind: string;
  userId?: string | null;
  /** The one link the recipient must open (verification, reset), printed on its own line without SMTP. */
  link?: string;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  rejectUnauthorized: boolean;
}

export class Mailer {
  private readonly transport: Transporter | null;
  private readonly outbox: OutboxRepository;
  private readonly log: Logger;
  private readonly from: string;
  private readonly print: (text: string) => void;

  constructor(deps: {
    outbox: OutboxRepository; log: Logger; smtp: SmtpSettings | null; from: string;
    /** Where plain lines for the operator go (stdout in the CLI). */
    print?: (text: string) => void;
  }) {
    this.outbox = deps.outbox;
    this.log = deps.log;
    this.from = deps.from;
    this.print = deps.print ?? (() => {});
    this.transport = deps.smtp
      ? nodemailer.createTransport({
          host: deps.smtp.host,
          port: deps.smtp.port,
          secure: deps.smtp.secure,
          auth: deps.smtp.user ? { user: deps.smtp.user, pass: deps.smtp.password ?? '' } : undefined,
          tls: { rejectUnauthorized: deps.smtp.rejectUnauthorized },
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 20_000,
        })
      : null;
  }

  get mode(): 'smtp' | 'outbox' {
    return this.transport ? 'smtp' : 'outbox';
  }

  async send({ link, ...msg }: MailMessage): Promise<void> {
    if (!this.transport) {
      await this.outbox.insert({ ...msg, status: 'logged' });
      this.log.info(
        { mail: { to: msg.to, subject: msg.subject, kind: msg.kind } },
        `Email (no SMTP configured; kept in the outbox):\n  To: ${msg.to}\n  Subject: ${msg.subject}\n\n${indent(msg.text)}\n`,
      );
      if (link) this.print(`\n${msg.subject} (${msg.to}; no SMTP configured, so open this link yourself):\n${link}\n\n`);
      return;
    }
    try {
      await this.transport.sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html });
      await this.outbox.insert({ ...msg, status: 'sent' });
      this.log.info({ mail: { to: msg.to, kind: msg.kind } }, 'email sent');
    } catch (err) {
      await this.outbox.insert({ ...msg, status: 'failed', error: (err as Error).message });
      this.log.error({ err, mail: { to: msg.to, kind: msg.kind } }, 'email delivery failed');
      throw err;
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
  }
}

function indent(s: string) {
  return s.split('\n').map((l) => `  ${l}`).join('\n');
}
