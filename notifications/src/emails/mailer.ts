import nodemailer, { type Transporter } from 'nodemailer';
import type { AttachmentFile } from './attachments';

/** One email as the sender hands it over. */
export interface OutgoingEmail {
  /** The row id: it makes the Message-ID, so a repeated attempt carries the same one. */
  id: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: AttachmentFile[];
}

/** Delivers emails over SMTP. */
export interface Mailer {
  /** Hands the email to the SMTP server; answers the Message-ID it accepted; throws when it did not. */
  send(email: OutgoingEmail): Promise<string>;
  close(): void;
}

/** Options of {@link createSmtpMailer}. */
export interface SmtpMailerOptions {
  url: string;
  from: string;
  timeoutMs: number;
}

/** The domain of the Message-IDs: the sender's address domain, else `glotixz.local`. */
function messageIdDomain(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'glotixz.local';
}

/** A {@link Mailer} over nodemailer's SMTP transport, one connection per email (no pool to go stale). */
export function createSmtpMailer({ url, from, timeoutMs }: SmtpMailerOptions): Mailer {
  const transport: Transporter = nodemailer.createTransport(
    { url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs },
    { from },
  );
  const domain = messageIdDomain(from);
  return {
    async send(email) {
      const info = await transport.sendMail({
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        attachments: email.attachments,
        messageId: `<${email.id}@${domain}>`,
      });
      return info.messageId;
    },
    close() {
      transport.close();
    },
  };
}
