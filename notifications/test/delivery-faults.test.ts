import { sleep, waitFor } from '@glotixz/common/testing';
import request from 'supertest';
import { orderCreated } from './fixtures';
import { startNotificationsHarness, type NotificationsHarness } from './notifications-harness';

function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('when the SMTP server is down', () => {
  let h: NotificationsHarness;
  beforeAll(async () => {
    h = await startNotificationsHarness({ mailUp: false, env: { EMAIL_MAX_ATTEMPTS: '30' } });
  });
  afterAll(() => h.close());

  it('retries with growing pauses and delivers once the server is back', async () => {
    const buyer = await h.signUp();
    const envelope = await h.publish('order.created', orderCreated(buyer.id));

    // `attempts` counts a claim, so a row at 3 may still be mid-try: wait for three recorded failures.
    const failedAttempts = async () =>
      metricValue(
        (await request(h.service.app.app).get('/metrics').expect(200)).text,
        'notifications_emails_failed_total{template="reservation-held",service="notifications"}',
      ) ?? 0;
    const failures = await waitFor(
      async () => {
        const n = await failedAttempts();
        return n >= 3 && n;
      },
      8_000,
      'three failed attempts',
    );
    const failing = await h.emailRow(envelope.id, 'reservation-held');
    expect(failing.status).toBe('pending');
    expect(failing.lastError).toMatch(/ECONNREFUSED|connect/i);
    // After the third failure the next try waits 200 ms doubled twice (800 ms), or the claim's lease.
    const pauseMs = failing.nextAttemptAt.getTime() - Date.now();
    expect(pauseMs).toBeGreaterThan(300);

    await h.mail.start();
    const [email] = await waitFor(
      async () => {
        const received = await h.mail.emailsTo(buyer.email);
        return received.length > 0 && received;
      },
      10_000,
      'the email once SMTP is back',
    );
    expect(email?.subject).toMatch(/^Reserved: /);
    const sent = await waitFor(async () => {
      const row = await h.emailRow(envelope.id, 'reservation-held');
      return row.status === 'sent' && row;
    });
    expect(sent.attempts).toBeGreaterThan(failures);
    await sleep(800);
    expect(await h.mail.emailsTo(buyer.email)).toHaveLength(1);

    const metrics = await request(h.service.app.app).get('/metrics').expect(200);
    expect(
      metricValue(
        metrics.text,
        'notifications_emails_sent_total{template="reservation-held",service="notifications"}',
      ),
    ).toBe(1);
    expect(sent.attempts).toBe((await failedAttempts()) + 1);
  });
});

describe('after the last attempt', () => {
  let h: NotificationsHarness;
  beforeAll(async () => {
    h = await startNotificationsHarness({ mailUp: false, env: { EMAIL_MAX_ATTEMPTS: '3' } });
  });
  afterAll(() => h.close());

  it('marks the email dead with its last error, counts it, and stops trying', async () => {
    const buyer = await h.signUp();
    const envelope = await h.publish('order.created', orderCreated(buyer.id));

    const dead = await waitFor(
      async () => {
        const row = await h.emailRow(envelope.id, 'reservation-held');
        return row.status === 'dead' && row;
      },
      8_000,
      'the email to be dead',
    );
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(dead.sentAt).toBeNull();

    await h.mail.start();
    await sleep(1_500);
    expect(await h.mail.emailsTo(buyer.email)).toHaveLength(0);
    expect((await h.emailRow(envelope.id, 'reservation-held')).attempts).toBe(3);
    const metrics = await request(h.service.app.app).get('/metrics').expect(200);
    expect(
      metricValue(
        metrics.text,
        'notifications_emails_dead_total{template="reservation-held",service="notifications"}',
      ),
    ).toBe(1);
  });
});
