import { ApiError, fieldErrors, messageFor } from './errors';

describe('fieldErrors', () => {
  it('maps VALIDATION_FAILED detail paths to form fields', () => {
    const error = ApiError.fromBody(400, {
      code: 'VALIDATION_FAILED',
      message: 'Invalid request',
      details: [
        { path: 'body.price', message: 'Price must be greater than 0' },
        { path: 'body.title', message: 'Title must not be empty' },
        { path: 'body.price', message: 'second message is ignored' },
        { path: ['body', 'currency'], message: 'Unknown currency' },
      ],
    });
    expect(fieldErrors(error)).toEqual({
      price: 'Price must be greater than 0',
      title: 'Title must not be empty',
      currency: 'Unknown currency',
    });
  });

  it('answers nothing for other errors', () => {
    expect(fieldErrors(new Error('x'))).toEqual({});
    expect(fieldErrors(ApiError.fromBody(409, { code: 'TICKET_RESERVED', message: 'x' }))).toEqual({});
  });
});

describe('messageFor', () => {
  it('explains known codes in plain words', () => {
    expect(messageFor(ApiError.fromBody(400, { code: 'OWN_TICKET', message: 'x' }))).toMatch(
      /your own listing/,
    );
    expect(messageFor(ApiError.fromBody(409, { code: 'TICKET_RESERVED', message: 'x' }))).toMatch(/reserved/);
  });

  it('uses the decline code of a declined payment', () => {
    const declined = ApiError.fromBody(402, {
      code: 'PAYMENT_DECLINED',
      message: 'Your card has insufficient funds.',
      details: { declineCode: 'insufficient_funds' },
    });
    expect(messageFor(declined)).toBe('Your card has insufficient funds. Try another card.');
  });

  it('says how long to wait when rate limited', () => {
    expect(messageFor(ApiError.fromBody(429, { code: 'RATE_LIMITED', message: 'x' }, 600))).toBe(
      'Too many attempts. Try again in 10 minutes.',
    );
  });

  it('says how long to wait for a hold cool-down or a busy server, from Retry-After or details', () => {
    expect(
      messageFor(
        ApiError.fromBody(409, { code: 'HOLD_COOLDOWN', message: 'x', details: { retryAfterSeconds: 45 } }),
      ),
    ).toBe('You let this ticket go a moment ago. You can reserve it again in 45 seconds.');
    expect(messageFor(ApiError.fromBody(409, { code: 'HOLD_COOLDOWN', message: 'x' }, 120))).toMatch(
      /again in 2 minutes\.$/,
    );
    expect(messageFor(ApiError.fromBody(503, { code: 'SERVER_BUSY', message: 'x' }, 1))).toBe(
      'Glotixz is very busy right now. Please try again in 1 second.',
    );
    expect(messageFor(ApiError.fromBody(429, { code: 'RATE_LIMITED', message: 'x' }, 5))).toBe(
      'Too many attempts. Try again in 5 seconds.',
    );
  });

  it.each([
    ['HOLD_LIMIT_REACHED', /holding as many tickets/],
    ['HOLD_COOLDOWN', /reserve it again shortly/],
    ['RATE_LIMITED', /Too many attempts/],
    ['CROSS_ORIGIN_REQUEST', /did not come from a Glotixz page/],
    ['SERVER_BUSY', /very busy/],
    ['PAYMENT_METHOD_INVALID', /That card cannot be used/],
    ['PAYMENT_REQUEST_INVALID', /could not be started/],
  ])('turns %s into a sentence, not the service message', (code, sentence) => {
    expect(messageFor(ApiError.fromBody(400, { code, message: 'service text' }))).toMatch(sentence);
  });

  it('falls back to the service message for an unknown code, and survives a non-JSON answer', () => {
    expect(messageFor(ApiError.fromBody(400, { code: 'SOMETHING_NEW', message: 'Specific text' }))).toBe(
      'Specific text',
    );
    expect(ApiError.fromBody(502, '<html>').code).toBe('SERVICE_UNAVAILABLE');
  });
});
