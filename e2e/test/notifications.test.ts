import { waitFor } from '@glotixz/common/testing';
import { api, listTicket, signUp } from './support/api';
import { startSystem, type System } from './support/system';

interface ReceivedEmail {
  subject: string;
  text: string;
  to: { address: string }[];
}

/**
 * Emails across auth, tickets, orders and notifications, each a real process, with MailDev as
 * the SMTP server: a sign-up reaches notifications' replica through auth's outbox, and placing
 * an order mails the buyer once.
 */
describe('notifications across the services', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'notifications'],
      orderLimits: { rateMax: 1_000 },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function emailsTo(address: string): Promise<ReceivedEmail[]> {
    const res = await fetch(`${system.mail!.url}/email`);
    const all = (await res.json()) as ReceivedEmail[];
    return all.filter((email) => email.to.some((to) => to.address === address));
  }

  it('mails a buyer who just signed up that their order holds the ticket, once', async () => {
    const seller = await signUp(system.services.auth.url, 'seller');
    const buyer = await signUp(system.services.auth.url, 'buyer');
    const listed = await listTicket(system.services.tickets.url, seller.token, {
      title: 'Harbour Lights',
      price: 3900,
      currency: 'EUR',
    });
    expect(listed.status).toBe(201);
    const order = await waitFor(
      async () => {
        const res = await api(system.services.orders.url, 'POST', '/api/orders', {
          token: buyer.token,
          body: { ticketId: listed.body.id },
        });
        return res.status === 404 ? undefined : res;
      },
      10_000,
      'the orders replica to know the ticket',
    );
    expect(order.status).toBe(201);

    const [email] = await waitFor(
      async () => {
        const received = await emailsTo(buyer.email);
        return received.length > 0 && received;
      },
      15_000,
      `the reservation email to ${buyer.email}`,
    );
    expect(email?.subject).toMatch(/^Reserved: Harbour Lights — pay by /);
    expect(email?.text).toContain('€39.00');
    expect(email?.text).toContain(`/orders/${order.body.id as string}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await emailsTo(buyer.email)).toHaveLength(1);
    expect(await emailsTo(seller.email)).toHaveLength(0);
  });
});
