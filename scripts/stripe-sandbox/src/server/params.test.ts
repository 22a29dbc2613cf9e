import { z } from 'zod';
import { boolean, hash, integer, mergeMetadata, metadata, parseParams, string } from './params';
import { StripeApiError } from './stripe-error';

function errorOf(read: () => unknown): StripeApiError {
  try {
    read();
  } catch (error) {
    if (error instanceof StripeApiError) return error;
    throw error;
  }
  throw new Error('expected a StripeApiError');
}

describe('parseParams', () => {
  it('names nested unknown parameters the way Stripe does', () => {
    const schema = z.strictObject({ card: hash({ number: string() }) });
    const error = errorOf(() => parseParams(schema, { card: { number: '4242', pin: '1' } }));
    expect(error.body).toMatchObject({ code: 'parameter_unknown', param: 'card[pin]' });
    expect(error.saved).toBe(false);
  });

  it('reads integers written in digits only', () => {
    const read = (value: string, field = integer()) =>
      parseParams(z.strictObject({ n: field }), { n: value }).n;
    expect(read('42')).toBe(42);
    expect(errorOf(() => read('4.2')).body.code).toBe('parameter_invalid_integer');
    expect(errorOf(() => read('1e3')).body.code).toBe('parameter_invalid_integer');
    expect(errorOf(() => read('-1', integer({ min: 1 }))).body.message).toBe(
      'This value must be greater than or equal to 1.',
    );
  });

  it('refuses an empty string for a required parameter and reads it as unset otherwise', () => {
    const body = { currency: '', description: '' };
    const required = z.strictObject({ currency: string({ required: true }), description: string() });
    expect(errorOf(() => parseParams(required, body)).body.code).toBe('parameter_invalid_empty');
    const optional = z.strictObject({ currency: string(), description: string() });
    expect(parseParams(optional, body).description).toBeUndefined();
  });

  it('reads booleans as Stripe writes them', () => {
    const read = (value: string) => parseParams(z.strictObject({ b: boolean() }), { b: value }).b;
    expect(read('true')).toBe(true);
    expect(read('false')).toBe(false);
    expect(errorOf(() => read('1')).body.message).toBe('Invalid boolean: 1');
  });

  it('holds metadata to strings within Stripe’s limits', () => {
    const read = (value: unknown) =>
      parseParams(z.strictObject({ metadata: metadata() }), { metadata: value });
    expect(errorOf(() => read({ a: { b: 'c' } })).body.param).toBe('metadata[a]');
    expect(errorOf(() => read({ ['k'.repeat(41)]: 'v' })).body.message).toContain('up to 40 characters');
    expect(errorOf(() => read({ k: 'v'.repeat(501) })).body.message).toContain('up to 500 characters');
  });
});

describe('mergeMetadata', () => {
  it('merges, deletes keys set to an empty string, and clears everything for metadata=', () => {
    expect(mergeMetadata({ a: '1', b: '2' }, { values: { b: '', c: '3' }, cleared: false })).toEqual({
      a: '1',
      c: '3',
    });
    expect(mergeMetadata({ a: '1' }, { values: {}, cleared: true })).toEqual({});
  });
});
