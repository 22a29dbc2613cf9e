import fc from 'fast-check';
import { useHarness } from '@glotixz/common/testing';
import { startPaymentsHarness } from './payments-harness';

const h = useHarness(startPaymentsHarness);

const intentTypes = ['payment_intent.succeeded', 'payment_intent.payment_failed'] as const;

describe('a signed webhook body that is not a whole PaymentIntent event', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['a succeeded event without data', { id: 'evt_1', type: intentTypes[0] }],
    ['a succeeded event without its PaymentIntent', { id: 'evt_2', type: intentTypes[0], data: {} }],
    [
      'a failed event whose PaymentIntent has no id',
      { id: 'evt_3', type: intentTypes[1], data: { object: {} } },
    ],
    ['an event id with a NUL', { id: 'evt_\u0000', type: intentTypes[0], data: { object: { id: 'pi_1' } } }],
  ])('%s → 400 BAD_REQUEST, nothing recorded', async (_name, body) => {
    const res = await h.postWebhook(JSON.stringify(body)).expect(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    expect(await h.count('stripe_events')).toBe(0);
  });

  it('never answers 5xx, whatever the signed JSON (property test)', async () => {
    const event = fc.record(
      {
        id: fc.oneof(fc.constant('evt_x'), fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue()),
        type: fc.oneof(fc.constantFrom(...intentTypes, 'charge.refunded'), fc.jsonValue()),
        data: fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.record(
            {
              object: fc.oneof(
                fc.jsonValue({ maxDepth: 2 }),
                fc.record(
                  {
                    id: fc.oneof(fc.constant('pi_unknown'), fc.jsonValue()),
                    metadata: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.string())),
                    last_payment_error: fc.jsonValue({ maxDepth: 2 }),
                  },
                  { requiredKeys: [] },
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(event, fc.jsonValue()), async (body) => {
        const res = await h.postWebhook(JSON.stringify(body) ?? 'null');
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150, seed: 7 },
    );
  }, 60_000);
});
