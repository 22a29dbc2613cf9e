import Stripe from 'stripe';
import { signatureHeader } from './signature';

const stripe = new Stripe('sk_test_unit');

describe('signatureHeader', () => {
  it('matches the header the stripe SDK computes for the same payload, secret and time', () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event' }, null, 2);
    const expected = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_unit',
      timestamp: 1700000000,
    });
    expect(signatureHeader(payload, 'whsec_unit', 1700000000)).toBe(expected);
  });

  it('is accepted by constructEvent now and refused for another payload', () => {
    const payload = '{"id":"evt_2","object":"event"}';
    const header = signatureHeader(payload, 'whsec_unit');
    expect(stripe.webhooks.constructEvent(payload, header, 'whsec_unit').id).toBe('evt_2');
    expect(() => stripe.webhooks.constructEvent(payload.replace('2', '3'), header, 'whsec_unit')).toThrow();
  });
});
