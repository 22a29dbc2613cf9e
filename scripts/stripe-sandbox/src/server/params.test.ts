import { Params, mergeMetadata } from './params';
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

describe('Params', () => {
  it('names nested unknown parameters the way Stripe does', () => {
    const params = Params.of({ card: { number: '4242', pin: '1' } }, ['card']);
    const error = errorOf(() => params.hash('card', ['number']));
    expect(error.body).toMatchObject({ code: 'parameter_unknown', param: 'card[pin]' });
    expect(error.saved).toBe(false);
  });

  it('reads integers written in digits only', () => {
    const params = Params.of({ a: '42', b: '4.2', c: '1e3', d: '-1' }, ['a', 'b', 'c', 'd']);
    expect(params.integer('a')).toBe(42);
    expect(errorOf(() => params.integer('b')).body.code).toBe('parameter_invalid_integer');
    expect(errorOf(() => params.integer('c')).body.code).toBe('parameter_invalid_integer');
    expect(errorOf(() => params.integer('d', { min: 1 })).body.message).toBe(
      'This value must be greater than or equal to 1.',
    );
  });

  it('refuses an empty string for a required parameter and reads it as unset otherwise', () => {
    const params = Params.of({ currency: '', description: '' }, ['currency', 'description']);
    expect(errorOf(() => params.string('currency', { required: true })).body.code).toBe(
      'parameter_invalid_empty',
    );
    expect(params.string('description')).toBeUndefined();
  });

  it('reads booleans as Stripe writes them', () => {
    const params = Params.of({ yes: 'true', no: 'false', maybe: '1' }, ['yes', 'no', 'maybe']);
    expect(params.boolean('yes')).toBe(true);
    expect(params.boolean('no')).toBe(false);
    expect(errorOf(() => params.boolean('maybe')).body.message).toBe('Invalid boolean: 1');
  });

  it('holds metadata to strings within Stripe’s limits', () => {
    expect(
      errorOf(() => Params.of({ metadata: { a: { b: 'c' } } }, ['metadata']).metadata()).body.param,
    ).toBe('metadata[a]');
    expect(
      errorOf(() => Params.of({ metadata: { ['k'.repeat(41)]: 'v' } }, ['metadata']).metadata()).body.message,
    ).toContain('up to 40 characters');
    expect(
      errorOf(() => Params.of({ metadata: { k: 'v'.repeat(501) } }, ['metadata']).metadata()).body.message,
    ).toContain('up to 500 characters');
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
