import { randomUUID } from 'node:crypto';
import { readSubject, waitFor } from '@glotixz/common/testing';
import { api, createEventViaApi, signUp } from './support/api';
import { queryRows } from './support/db';
import { startSystem, type System } from './support/system';

interface ReceivedEmail {
  subject: string;
  text: string;
  to: { address: string }[];
  attachments?: { contentType: string; fileName?: string; generatedFileName?: string }[];
}

const NEW_PASSWORD = 'a brand new passphrase';

/**
 * Email across the whole purchase, each service a real process and MailDev the SMTP server: one
 * purchase mails one receipt with the e-ticket PDF and calendar file (and the seller their news),
 * a redelivered `order.completed` mails nothing more, mail queued while SMTP is down for 10 s
 * arrives once it is back, and a password reset goes round trip through the inbox.
 */
describe('email, end to end', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'payments', 'notifications'],
      orderLimits: { rateMax: 1_000 },
      // Retries a second apart, so an outage of 10 s costs seconds, not minutes.
      env: { notifications: { EMAIL_RETRY_BASE_MS: '1000', EMAIL_RETRY_CAP_MS: '4000' } },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function emailsTo(address: string, subject?: RegExp): Promise<ReceivedEmail[]> {
    const res = await fetch(`${system.mail!.url}/email`);
    const all = (await res.json()) as ReceivedEmail[];
    return all.filter(
      (email) => email.to.some((to) => to.address === address) && (!subject || subject.test(email.subject)),
    );
  }

  async function firstEmail(address: string, subject: RegExp, timeoutMs = 20_000): Promise<ReceivedEmail> {
    const [email] = await waitFor(
      async () => {
        const found = await emailsTo(address, subject);
        return found.length > 0 && found;
      },
      timeoutMs,
      `an email "${subject.source}" to ${address}`,
    );
    return email!;
  }

  /** Lists a seat for a new event as `seller` and places the buyer's order for it. */
  async function placeOrder(seller: { token: string }, buyer: { token: string }, name: string) {
    const { tickets, orders } = system.services;
    const eventId = await createEventViaApi(tickets.url, seller.token, { name });
    const listed = await api(tickets.url, 'POST', '/api/tickets', {
      token: seller.token,
      body: { eventId, section: 'A', row: '3', seat: '12', price: 5_500, currency: 'usd' },
    });
    expect(listed.status).toBe(201);
    const order = await waitFor(
      async () => {
        const res = await api(orders.url, 'POST', '/api/orders', {
          token: buyer.token,
          body: { ticketId: listed.body.id },
        });
        return res.status === 404 ? undefined : res;
      },
      15_000,
      'the orders replica to know the ticket',
    );
    expect(order.status).toBe(201);
    return order.body.id as string;
  }

  async function pay(buyer: { token: string }, orderId: string): Promise<void> {
    const paid = await waitFor(
      async () => {
        const res = await api(system.services.payments.url, 'POST', '/api/payments', {
          token: buyer.token,
          body: { orderId, paymentMethodId: 'pm_card_visa' },
        });
        return res.status === 404 ? undefined : res;
      },
      15_000,
      'payments to know the order',
    );
    expect(paid.status).toBeLessThan(300);
  }

  /** How many `order.completed` events notifications has recognised as duplicates, from its metrics. */
  async function duplicatesSeen(): Promise<number> {
    const text = await (await fetch(`${system.services.notifications.url}/metrics`)).text();
    return text
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('bus_messages_handled_total{') &&
          line.includes('subject="order.completed"') &&
          line.includes('outcome="duplicate"'),
      )
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }

  it('mails one receipt with the e-ticket for a purchase, and nothing more when the event is redelivered', async () => {
    const seller = await signUp(system.services.auth.url, 'seller');
    const buyer = await signUp(system.services.auth.url, 'buyer');
    const name = `Receipt Night ${Date.now()}`;
    const orderId = await placeOrder(seller, buyer, name);
    const held = await firstEmail(buyer.email, /^Reserved: /);
    expect(held.text).toContain('$55.00');
    await pay(buyer, orderId);

    const receipt = await firstEmail(buyer.email, /^Your receipt and e-ticket: /);
    const types = (receipt.attachments ?? []).map((a) => a.contentType.split(';')[0]);
    expect(types).toEqual(expect.arrayContaining(['application/pdf', 'text/calendar']));
    expect(receipt.text).toContain(name);
    const sold = await firstEmail(seller.email, /^Sold: /);
    expect(sold.text).toContain('$55.00');

    // The same event again, as JetStream would redeliver it (a new message, the same event id).
    const [completed] = (await readSubject(system.bus, 'order.completed')).filter(
      (m) => (m.data as { data: { id: string } }).data.id === orderId,
    );
    expect(completed).toBeDefined();
    const before = await duplicatesSeen();
    await system.bus.js.publish(system.bus.subjectFor('order.completed'), JSON.stringify(completed!.data), {
      msgID: randomUUID(),
    });
    await waitFor(
      async () => (await duplicatesSeen()) > before,
      15_000,
      'notifications to see the duplicate',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await emailsTo(buyer.email, /^Your receipt and e-ticket: /)).toHaveLength(1);
    expect(await emailsTo(seller.email, /^Sold: /)).toHaveLength(1);
    expect(await emailsTo(buyer.email)).toHaveLength(2);
  });

  it('delivers, once, an email queued while the SMTP server was down for 10 s', async () => {
    const seller = await signUp(system.services.auth.url, 'seller');
    const buyer = await signUp(system.services.auth.url, 'buyer');
    await system.mail!.stop();
    try {
      await placeOrder(seller, buyer, `Outage Night ${Date.now()}`);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const [row] = await queryRows<{ status: string; attempts: number }>(
        system.databases.notifications,
        `select status, attempts from emails where recipient = $1 and template = 'reservation-held'`,
        [buyer.email],
      );
      expect(row?.status).toBe('pending');
      expect(row?.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await system.mail!.restart();
    }
    await firstEmail(buyer.email, /^Reserved: /, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await emailsTo(buyer.email)).toHaveLength(1);
  });

  it('resets a password through the emailed link, once, and the old password stops working', async () => {
    const { auth } = system.services;
    const user = await signUp(auth.url, 'forgetful');
    const asked = await api(auth.url, 'POST', '/api/users/password-reset', { body: { email: user.email } });
    expect(asked.status).toBe(202);
    const email = await firstEmail(user.email, /password/i);
    const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(email.text)?.[1];
    expect(token).toBeDefined();

    const confirmed = await api(auth.url, 'POST', '/api/users/password-reset/confirm', {
      body: { token, password: NEW_PASSWORD },
    });
    expect(confirmed.status).toBe(200);
    const again = await api(auth.url, 'POST', '/api/users/password-reset/confirm', {
      body: { token, password: NEW_PASSWORD },
    });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_RESET_TOKEN');
    const oldPassword = await api(auth.url, 'POST', '/api/users/signin', {
      body: { email: user.email, password: 'correct horse battery' },
    });
    expect(oldPassword.status).toBe(401);
    const newPassword = await api(auth.url, 'POST', '/api/users/signin', {
      body: { email: user.email, password: NEW_PASSWORD },
    });
    expect(newPassword.status).toBe(200);
  });
});
