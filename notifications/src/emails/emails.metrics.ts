import { Counter, type Registry } from 'prom-client';
import { templateNames } from './templates/templates';

/** The counters of the emails queue, by template. */
export interface EmailsMetrics {
  /** Emails queued by the consumers (a repeated event queues none). */
  queued: Counter<'template'>;
  /** Emails the SMTP server accepted. */
  sent: Counter<'template'>;
  /** Failed attempts, each retried later until the last. */
  failed: Counter<'template'>;
  /** Emails given up after the last attempt, kept as `dead` with their last error. */
  dead: Counter<'template'>;
}

/**
 * Registers `notifications_emails_{queued,sent,failed,dead}_total{template}` in `registry`;
 * without one they count without being served.
 */
export function createEmailsMetrics(registry?: Registry): EmailsMetrics {
  const registers = registry ? [registry] : [];
  const counter = (name: string, help: string) =>
    new Counter({
      name: `notifications_emails_${name}_total`,
      help,
      labelNames: ['template'] as const,
      registers,
    });
  const metrics: EmailsMetrics = {
    queued: counter('queued', 'Emails queued for sending, by template'),
    sent: counter('sent', 'Emails accepted by the SMTP server, by template'),
    failed: counter('failed', 'Failed attempts to send an email, by template'),
    dead: counter('dead', 'Emails given up after the last attempt, by template'),
  };
  const counters: Counter<'template'>[] = [metrics.queued, metrics.sent, metrics.failed, metrics.dead];
  for (const template of templateNames) for (const c of counters) c.inc({ template }, 0);
  return metrics;
}
