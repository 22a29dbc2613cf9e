import { defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig, type Config } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import type { NotificationsDb } from './db/db';
import { createEmailSender } from './emails/email-sender';
import { createEmailsMetrics } from './emails/emails.metrics';
import { createSmtpMailer, type Mailer } from './emails/mailer';
import { notificationsConsumers } from './events/consumers';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** Options of {@link declareNotificationsService}. */
export interface NotificationsServiceOptions {
  /** Builds the mailer from the config; SMTP at `SMTP_URL` by default. */
  mailer?: (config: Config) => Mailer;
}

/** The sender as the configuration sets it up (not started). */
export function senderFor(
  deps: { config: Config; db: NotificationsDb; logger: Logger; registry?: Registry },
  mailer: Mailer,
) {
  const { config } = deps;
  const metrics = createEmailsMetrics(deps.registry);
  const sender = createEmailSender({
    db: deps.db,
    mailer,
    logger: deps.logger,
    metrics,
    intervalMs: config.EMAIL_POLL_INTERVAL_MS,
    batchSize: config.EMAIL_BATCH_SIZE,
    maxAttempts: config.EMAIL_MAX_ATTEMPTS,
    retry: { baseMs: config.EMAIL_RETRY_BASE_MS, capMs: config.EMAIL_RETRY_CAP_MS },
    // Long past one SMTP conversation's timeouts, so a live sender always finishes first.
    leaseMs: 4 * config.SMTP_TIMEOUT_MS,
  });
  return { sender, metrics };
}

/**
 * Declares the notifications service: a users replica fed by `user.created`, consumers that queue
 * emails in their inbox transaction, and the sender that delivers them over SMTP.
 */
export function declareNotificationsService(options: NotificationsServiceOptions = {}) {
  return defineService({
    name: 'notifications',
    config: readConfig,
    database: { schema, migrationsFolder },
    setup: (deps, lifecycle) => {
      const { config } = deps;
      const mailer =
        options.mailer?.(config) ??
        createSmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS });
      lifecycle.onShutdown('mailer', () => Promise.resolve(mailer.close()));
      return senderFor(deps, mailer);
    },
    consumers: ({ db, config, sender, metrics }) =>
      notificationsConsumers(db, { links: { publicUrl: config.PUBLIC_URL }, metrics, wake: sender.wake }),
    tasks: ({ sender }) => ({ 'email-sender': sender }),
    createApp,
  });
}

/** The notifications service as it runs in production. */
export const notificationsService = declareNotificationsService();
