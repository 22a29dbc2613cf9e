import { randomUUID } from 'node:crypto';
import type { Envelope, EventMap, Subject, UserCreatedData } from '@glotixz/common/events';
import { bootService, type BootedService } from '@glotixz/common/service';
import { createServiceTestbed, waitFor, type ServiceTestbed } from '@glotixz/common/testing';
import { eq } from 'drizzle-orm';
import { configSchema, type Config } from '../src/config';
import * as schema from '../src/db/schema';
import { migrationsFolder } from '../src/db/migrate';
import type { EmailRow } from '../src/db/schema';
import { declareNotificationsService } from '../src/service';
import { createMailServer, type MailServer } from './mail-server';

type Schema = typeof schema;
type Booted = BootedService<Config, Schema, object>;

/**
 * The notifications service booted as `startService` boots it (migrations, messaging, consumers,
 * the sender), on a throwaway database and bus prefix, sending to a private MailDev.
 */
export interface NotificationsHarness {
  testbed: ServiceTestbed<Schema>;
  mail: MailServer;
  config: Config;
  service: Booted;
  /** Publishes `user.created` for a new user (or the one given) and waits until the replica has it. */
  signUp(user?: Partial<UserCreatedData>, options?: { wait?: boolean }): Promise<UserCreatedData>;
  publish<S extends Subject>(subject: S, data: EventMap[S]): Promise<Envelope<S>>;
  republish(envelope: Envelope): Promise<void>;
  /** The rows queued for an event. */
  emailRows(eventId: string): Promise<EmailRow[]>;
  /** Waits until the row of `template` for `eventId` exists and answers it. */
  emailRow(eventId: string, template: string, timeoutMs?: number): Promise<EmailRow>;
  /** Stops the booted service the way a shutdown does. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A random address for one test, so tests sharing a MailDev never read each other's mail. */
export function testAddress(label = 'buyer'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

/** Options of {@link startNotificationsHarness}. */
export interface HarnessOptions {
  /** Overrides of the service configuration. */
  env?: Record<string, string>;
  /** Start MailDev with the service (default true); false plays an SMTP server that is down. */
  mailUp?: boolean;
}

export async function startNotificationsHarness(options: HarnessOptions = {}): Promise<NotificationsHarness> {
  const testbed = await createServiceTestbed({ migrationsFolder, schema });
  const mail = await createMailServer();
  testbed.onClose(() => mail.stop());
  if (options.mailUp !== false) await mail.start();
  const config = configSchema.parse({
    ...testbed.env,
    SMTP_URL: mail.smtpUrl,
    PUBLIC_URL: 'https://glotixz.test',
    EMAIL_POLL_INTERVAL_MS: '200',
    EMAIL_RETRY_BASE_MS: '200',
    EMAIL_RETRY_CAP_MS: '1000',
    SMTP_TIMEOUT_MS: '2000',
    ...options.env,
  });
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  const service = await bootService(declareNotificationsService(), {
    config,
    logger: testbed.logger,
    lifecycle: { onShutdown: (name, close) => void closers.push({ name, close }) },
  });
  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    for (const { close } of closers.reverse()) await close();
  }
  testbed.onClose(stop);

  const harness: NotificationsHarness = {
    testbed,
    mail,
    config,
    service,
    stop,
    publish: testbed.publish,
    republish: testbed.republish,

    async signUp(user = {}, { wait = true } = {}) {
      const data: UserCreatedData = {
        id: randomUUID(),
        email: testAddress(),
        createdAt: new Date().toISOString(),
        ...user,
      };
      await testbed.publish('user.created', data);
      if (wait) {
        await waitFor(
          async () => (await testbed.pool.query('select 1 from users where id = $1', [data.id])).rowCount,
          5_000,
          `user ${data.id} in the replica`,
        );
      }
      return data;
    },

    async emailRows(eventId) {
      return testbed.db.select().from(schema.emails).where(eq(schema.emails.eventId, eventId));
    },

    async emailRow(eventId, template, timeoutMs = 5_000) {
      return waitFor(
        async () => (await harness.emailRows(eventId)).find((row) => row.template === template),
        timeoutMs,
        `the ${template} email of event ${eventId}`,
      );
    },

    close: () => testbed.close(),
  };
  return harness;
}
