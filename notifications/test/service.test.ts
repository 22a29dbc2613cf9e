import { randomUUID } from 'node:crypto';
import { configIssuePaths, describeServiceDefaults, useHarness, waitFor } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { createSmtpMailer } from '../src/emails/mailer';
import { emails } from '../src/db/schema';
import { emailsRepo } from '../src/emails/emails.repo';
import { senderFor } from '../src/service';
import { startNotificationsHarness, testAddress } from './notifications-harness';

const h = useHarness(() => startNotificationsHarness());

describeServiceDefaults({
  app: () => h.service.app.app,
  readyChecks: { postgres: 'ok', nats: 'ok' },
  docs: { path: '/api/notifications/docs', paths: [] },
  unknownRoute: { path: '/api/notifications/emails' },
});

describe('readiness', () => {
  it('answers 503 on /readyz naming Postgres when the database is unreachable', async () => {
    const { createDb, createPool } = await import('@glotixz/common/db');
    const pool = createPool('postgres://postgres@127.0.0.1:1/nowhere');
    try {
      const { app } = createApp({
        logger: pino({ level: 'silent' }),
        db: createDb(pool, {}),
        natsReady: () => h.service.natsReady(),
      });
      const res = await request(app).get('/readyz').expect(503);
      expect(res.body).toMatchObject({ checks: { postgres: 'down', nats: 'ok' } });
    } finally {
      await pool.end();
    }
  });
});

describe('configuration', () => {
  const required = {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/n',
    NATS_URL: 'nats://127.0.0.1:4222',
  };

  it('applies the documented defaults', () => {
    expect(configSchema.parse(required)).toMatchObject({
      PORT: 3006,
      SMTP_URL: 'smtp://127.0.0.1:1025',
      MAIL_FROM: 'Glotixz <tickets@glotixz.local>',
      PUBLIC_URL: 'http://localhost:8080',
      EMAIL_MAX_ATTEMPTS: 8,
    });
  });

  it('drops a trailing slash from PUBLIC_URL so links have one', () => {
    expect(configSchema.parse({ ...required, PUBLIC_URL: 'https://glotixz.example/' }).PUBLIC_URL).toBe(
      'https://glotixz.example',
    );
  });

  it('lists every problem of a bad environment at once', () => {
    expect(
      configIssuePaths(configSchema, {
        PORT: 'abc',
        DATABASE_URL: 'mysql://x',
        NATS_URL: 'http://x',
        SMTP_URL: 'http://mail',
        PUBLIC_URL: 'ftp://x',
        EMAIL_MAX_ATTEMPTS: '0',
      }),
    ).toEqual(
      expect.arrayContaining([
        'PORT',
        'DATABASE_URL',
        'NATS_URL',
        'SMTP_URL',
        'PUBLIC_URL',
        'EMAIL_MAX_ATTEMPTS',
      ]),
    );
  });
});

describe('several senders', () => {
  it('deliver each queued email exactly once when they race', async () => {
    const { db } = h.testbed;
    // Only the test's senders: the service's own one stops (this is the file's last test).
    await h.service.tasks['email-sender']?.stop();
    const recipients = Array.from({ length: 12 }, () => testAddress('race'));
    await db.insert(emails).values(
      recipients.map((recipient) => ({
        eventId: randomUUID(),
        template: 'refund-issued',
        recipient,
        subject: 'Race',
        html: '<p>race</p>',
        text: 'race',
      })),
    );
    const senders = [1, 2, 3].map(
      () =>
        senderFor(
          { config: { ...h.config, EMAIL_BATCH_SIZE: 2 }, db, logger: h.testbed.logger },
          createSmtpMailer({ url: h.config.SMTP_URL, from: h.config.MAIL_FROM, timeoutMs: 2_000 }),
        ).sender,
    );
    const sent = await Promise.all(senders.map((sender) => sender.sendDue()));

    expect(sent.reduce((a, b) => a + b, 0)).toBe(recipients.length);
    await waitFor(async () => {
      const received = await h.mail.emails();
      return recipients.every((r) => received.some((email) => email.to.some((to) => to.address === r)));
    });
    const received = await h.mail.emails();
    for (const recipient of recipients) {
      expect(received.filter((email) => email.to.some((to) => to.address === recipient))).toHaveLength(1);
    }
  });

  it('hides a claimed email from other senders for its lease, and a release hands it back unspent', async () => {
    const { db } = h.testbed;
    const [row] = await db
      .insert(emails)
      .values({
        eventId: randomUUID(),
        template: 'refund-issued',
        recipient: testAddress(),
        subject: 's',
        html: 'h',
        text: 't',
      })
      .returning();
    const claimed = await emailsRepo.claimDue(db, { batchSize: 50, leaseMs: 60_000 });
    expect(claimed.map((r) => r.id)).toContain(row!.id);
    expect(claimed.find((r) => r.id === row!.id)?.attempts).toBe(1);
    expect(
      (await emailsRepo.claimDue(db, { batchSize: 50, leaseMs: 60_000 })).map((r) => r.id),
    ).not.toContain(row!.id);

    await emailsRepo.release(db, [row!.id]);
    const again = await emailsRepo.claimDue(db, { batchSize: 50, leaseMs: 60_000 });
    expect(again.find((r) => r.id === row!.id)?.attempts).toBe(1);
  });
});
