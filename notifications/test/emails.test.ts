import { randomBytes, randomUUID } from 'node:crypto';
import { durableNameFor } from '@glotixz/common/bus';
import { sleep, useHarness, waitFor } from '@glotixz/common/testing';
import { orderCompleted, orderCreated } from './fixtures';
import type { ReceivedEmail } from './mail-server';
import { startNotificationsHarness, testAddress } from './notifications-harness';

const h = useHarness(() => startNotificationsHarness());

/** Waits for the one email to `address` and checks nothing else arrived for it. */
async function onlyEmailTo(address: string): Promise<ReceivedEmail> {
  const [email] = await waitFor(
    async () => {
      const received = await h.mail.emailsTo(address);
      return received.length > 0 && received;
    },
    8_000,
    `an email to ${address}`,
  );
  // Long enough for a second copy to have arrived, if one were on its way.
  await sleep(600);
  expect(await h.mail.emailsTo(address)).toHaveLength(1);
  return email!;
}

function expectHtmlAndText(email: ReceivedEmail): void {
  expect(email.html).toMatch(/<html[\s\S]*<\/html>/);
  expect(email.text.length).toBeGreaterThan(20);
  expect(email.from[0]).toEqual({ address: 'tickets@glotixz.local', name: 'Glotixz' });
}

describe('emails, one per event and template', () => {
  it('mails the buyer the reservation with the title, the price and when to pay by', async () => {
    const buyer = await h.signUp();
    const order = orderCreated(buyer.id, { expiresAt: '2027-01-05T10:15:00.000Z' });
    await h.publish('order.created', order);

    const email = await onlyEmailTo(buyer.email);
    expectHtmlAndText(email);
    expect(email.subject).toBe(
      'Reserved: Arctic Lights — Floor — pay by Tuesday, 5 January 2027 at 10:15 UTC',
    );
    for (const part of [email.text, email.html]) {
      expect(part).toContain('$45.50');
      expect(part).toContain('Tuesday, 5 January 2027 at 10:15 UTC');
      expect(part).toContain(`https://glotixz.test/orders/${order.id}`);
    }
  });

  it('mails the buyer a receipt with the e-ticket PDF and .ics, and the seller that the ticket sold', async () => {
    const buyer = await h.signUp();
    const seller = await h.signUp({ email: testAddress('seller') });
    const order = orderCompleted(buyer, seller.id);
    await h.publish('order.completed', order);

    const receipt = await onlyEmailTo(buyer.email);
    expectHtmlAndText(receipt);
    expect(receipt.subject).toBe('Your receipt and e-ticket: Arctic Lights — Floor');
    expect(receipt.text).toContain('Price: $45.50');
    expect(receipt.text).toContain('Fee: $5.54');
    expect(receipt.text).toContain('Paid: $51.04');
    expect(receipt.text).toContain(`https://glotixz.test/orders/${order.id}/ticket`);
    const attachments = receipt.attachments ?? [];
    const pdf = attachments.find((a) => a.contentType === 'application/pdf');
    const ics = attachments.find((a) => a.contentType.startsWith('text/calendar'));
    expect(pdf?.fileName).toBe(`glotixz-eticket-${order.id}.pdf`);
    expect(ics?.fileName).toBe(`glotixz-eticket-${order.id}.ics`);
    const pdfBody = await h.mail.attachment(receipt.id, pdf!.generatedFileName);
    expect(pdfBody.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const icsBody = (await h.mail.attachment(receipt.id, ics!.generatedFileName)).toString('utf8');
    expect(icsBody).toContain('BEGIN:VCALENDAR');
    expect(icsBody).toContain('Arctic Lights');

    const sold = await onlyEmailTo(seller.email);
    expectHtmlAndText(sold);
    expect(sold.subject).toBe('Sold: Arctic Lights — Floor');
    expect(sold.text).toContain('A buyer paid $45.50 for Arctic Lights — Floor.');
    expect(sold.attachments ?? []).toHaveLength(0);
  });

  it('tells the buyer an expired reservation ended, and says nothing when the buyer cancelled', async () => {
    const buyer = await h.signUp();
    const cancelled = await h.publish('order.cancelled', {
      id: randomUUID(),
      version: 1,
      ticket: { id: randomUUID(), title: 'Quiet Night' },
      userId: buyer.id,
      reason: 'buyer',
    });
    await h.publish('order.cancelled', {
      id: randomUUID(),
      version: 1,
      ticket: { id: randomUUID(), title: 'Arctic Lights — Floor' },
      userId: buyer.id,
      reason: 'expired',
    });

    const email = await onlyEmailTo(buyer.email);
    expectHtmlAndText(email);
    expect(email.subject).toBe('Reservation expired: Arctic Lights — Floor');
    expect(await h.emailRows(cancelled.id)).toEqual([]);
  });

  it('tells the buyer a refund was issued, with the amount', async () => {
    const buyer = await h.signUp();
    const orderId = randomUUID();
    await h.publish('payment.refunded', {
      id: randomUUID(),
      orderId,
      stripePaymentIntentId: 'pi_test_1',
      amount: 150_000,
      currency: 'jpy',
      reason: 'order_cancelled',
      userId: buyer.id,
    });

    const email = await onlyEmailTo(buyer.email);
    expectHtmlAndText(email);
    expect(email.subject).toBe('Refund issued: ¥150,000');
    expect(email.text).toContain(`order ${orderId}`);
  });

  it('mails the password reset link and says until when it works', async () => {
    const user = await h.signUp();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + 30 * 60_000);
    expiresAt.setUTCSeconds(0, 0);
    await h.publish('user.password-reset-requested', {
      userId: user.id,
      email: user.email,
      token,
      expiresAt: expiresAt.toISOString(),
    });

    const email = await onlyEmailTo(user.email);
    expectHtmlAndText(email);
    expect(email.subject).toBe('Reset your Glotixz password');
    const link = `https://glotixz.test/reset-password?token=${token}`;
    expect(email.text).toContain(link);
    expect(email.html).toContain(`href="${link}"`);
    const until = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: 'UTC',
    }).format(expiresAt);
    expect(email.text).toContain(`until`);
    expect(email.text).toContain(`${until} UTC`);
  });

  it('records the Message-ID and the time each email was sent', async () => {
    const buyer = await h.signUp();
    const envelope = await h.publish('order.created', orderCreated(buyer.id));
    const email = await onlyEmailTo(buyer.email);
    const row = await waitFor(async () => {
      const sent = await h.emailRow(envelope.id, 'reservation-held');
      return sent.status === 'sent' && sent;
    });
    expect(row).toMatchObject({ recipient: buyer.email, attempts: 1, lastError: null });
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.messageId).toBe(`<${email.messageId}>`);
  });
});

describe('effectively once', () => {
  it('sends nothing more when the same event is delivered again', async () => {
    const buyer = await h.signUp();
    const seller = await h.signUp({ email: testAddress('seller') });
    const envelope = await h.publish('order.completed', orderCompleted(buyer, seller.id));
    await onlyEmailTo(buyer.email);
    await onlyEmailTo(seller.email);

    await h.republish(envelope);
    await h.republish(envelope);
    await h.testbed.consumerSettled('ORDERS', durableNameFor('notifications', 'order.completed'));
    await sleep(1_000);

    expect(await h.mail.emailsTo(buyer.email)).toHaveLength(1);
    expect(await h.mail.emailsTo(seller.email)).toHaveLength(1);
    expect((await h.emailRows(envelope.id)).map((row) => row.template).sort()).toEqual([
      'receipt',
      'ticket-sold',
    ]);
  });

  it('holds an email until its recipient arrives in the replica, then sends it once', async () => {
    const buyer = { id: randomUUID(), email: testAddress() };
    const envelope = await h.publish('order.created', orderCreated(buyer.id));
    // The order's event waits: nothing is queued without an address.
    await sleep(1_200);
    expect(await h.emailRows(envelope.id)).toEqual([]);

    await h.signUp({ ...buyer, createdAt: new Date().toISOString() });
    const email = await onlyEmailTo(buyer.email);
    expect(email.subject).toMatch(/^Reserved: /);
    expect(await h.emailRows(envelope.id)).toHaveLength(1);
  });
});
