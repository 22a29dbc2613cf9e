import Stripe from 'stripe';
import {
  CardDeclinedError,
  IntentStateError,
  InvalidStripeRequestError,
  PaymentMethodInvalidError,
  ProviderUnavailableError,
  translateStripeError,
} from './stripe.gateway';

const { errors } = Stripe;

describe('translateStripeError()', () => {
  it('turns a card error into a decline with the code, decline code and message the buyer sees', () => {
    const err = new errors.StripeCardError({
      message: 'Your card has insufficient funds.',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
    });
    const translated = translateStripeError(err);
    expect(translated).toBeInstanceOf(CardDeclinedError);
    expect((translated as CardDeclinedError).reason).toEqual({
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
  });

  it('reports a card error without a decline code as null, with a default message', () => {
    const translated = translateStripeError(new errors.StripeCardError({ code: 'expired_card' }));
    expect((translated as CardDeclinedError).reason).toEqual({
      code: 'expired_card',
      declineCode: null,
      message: 'The payment was declined',
    });
  });

  it.each([
    ['a connection error', new errors.StripeConnectionError({ message: 'ECONNREFUSED' })],
    ['a server error', new errors.StripeAPIError({ message: 'boom', statusCode: 500 })],
    [
      'a conflict that outlived the retries',
      new errors.StripeAPIError({ message: 'in use', statusCode: 409 }),
    ],
    ['rate limiting', new errors.StripeRateLimitError({ message: 'slow down' })],
  ])('treats %s as the provider being unavailable', (_label, err) => {
    const translated = translateStripeError(err);
    expect(translated).toBeInstanceOf(ProviderUnavailableError);
    expect((translated as Error).cause).toBe(err);
  });

  it('recognises a PaymentIntent that can no longer be confirmed', () => {
    const err = new errors.StripeInvalidRequestError({
      message: 'already succeeded',
      code: 'payment_intent_unexpected_state',
    });
    expect(translateStripeError(err)).toBeInstanceOf(IntentStateError);
  });

  it.each([
    ['an unknown PaymentMethod', { code: 'resource_missing', param: 'payment_method' }],
    ['an unusable PaymentMethod', { code: 'payment_method_unexpected_state', param: undefined }],
  ])('recognises %s', (_label, fields) => {
    const err = new errors.StripeInvalidRequestError({ message: "No such PaymentMethod: 'pm_a'", ...fields });
    const translated = translateStripeError(err);
    expect(translated).toBeInstanceOf(PaymentMethodInvalidError);
    expect(translated).toMatchObject({ code: fields.code, param: fields.param ?? null });
  });

  it('turns any other invalid request into a refusal naming Stripe code and parameter', () => {
    const err = new errors.StripeInvalidRequestError({
      message: 'Amount must be no more than $999,999.99',
      code: 'amount_too_large',
      param: 'amount',
    });
    const translated = translateStripeError(err);
    expect(translated).toBeInstanceOf(InvalidStripeRequestError);
    expect(translated).not.toBeInstanceOf(PaymentMethodInvalidError);
    expect(translated).toMatchObject({ code: 'amount_too_large', param: 'amount' });
  });

  it('leaves our own faults as they are: a bad key, anything else', () => {
    const auth = new errors.StripeAuthenticationError({ message: 'Invalid API Key' });
    const other = new Error('bug');
    expect(translateStripeError(auth)).toBe(auth);
    expect(translateStripeError(other)).toBe(other);
  });
});
