import { freePort } from '@glotixz/common/testing';
import MailDev from 'maildev';

/** An email as MailDev's REST API (`GET /email`) answers it. */
export interface ReceivedEmail {
  id: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  from: { address: string; name: string }[];
  to: { address: string; name: string }[];
  /** `generatedFileName` is what the attachment route serves it under. */
  attachments?: { contentType: string; fileName: string; generatedFileName: string; length: number }[];
}

/**
 * A private MailDev for one test file, on random ports (SMTP and web/REST): it can be stopped and
 * started again on the same ports to play an SMTP outage. Mail is read through its REST API.
 */
export interface MailServer {
  smtpPort: number;
  webPort: number;
  /** `smtp://127.0.0.1:<smtpPort>`. */
  smtpUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every email received since this server (re)started. */
  emails(): Promise<ReceivedEmail[]>;
  /** The emails received for `address`. */
  emailsTo(address: string): Promise<ReceivedEmail[]>;
  /** The raw body of an attachment, by its `generatedFileName`. */
  attachment(emailId: string, generatedFileName: string): Promise<Buffer>;
}

/** Picks the ports of a {@link MailServer}; it is not started yet. */
export async function createMailServer(): Promise<MailServer> {
  const smtpPort = await freePort();
  const webPort = await freePort();
  let running: MailDev | undefined;
  const web = `http://127.0.0.1:${webPort}`;

  const server: MailServer = {
    smtpPort,
    webPort,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    async start() {
      if (running) return;
      const maildev = new MailDev({ smtp: smtpPort, web: webPort, ip: '127.0.0.1', silent: true });
      await new Promise<void>((resolve, reject) => maildev.listen((err) => (err ? reject(err) : resolve())));
      running = maildev;
    },
    async stop() {
      const maildev = running;
      running = undefined;
      if (maildev) await new Promise<void>((resolve) => maildev.close(() => resolve()));
    },
    async emails() {
      const res = await fetch(`${web}/email`);
      if (!res.ok) throw new Error(`MailDev answered ${res.status}`);
      return (await res.json()) as ReceivedEmail[];
    },
    async emailsTo(address) {
      return (await server.emails()).filter((email) => email.to.some((to) => to.address === address));
    },
    async attachment(emailId, generatedFileName) {
      const res = await fetch(`${web}/email/${emailId}/attachment/${encodeURIComponent(generatedFileName)}`);
      if (!res.ok) throw new Error(`MailDev answered ${res.status} for attachment ${generatedFileName}`);
      return Buffer.from(await res.arrayBuffer());
    },
  };
  return server;
}
