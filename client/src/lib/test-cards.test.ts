import { formatCardNumber, formatExpiry, validateCard } from './test-cards';

const NOW = new Date('2030-06-15T12:00:00Z');
const valid = { expiry: '12 / 34', cvc: '123' };

describe('validateCard', () => {
  it.each([
    ['4242 4242 4242 4242', 'pm_card_visa'],
    ['4242424242424242', 'pm_card_visa'],
    ['4000 0000 0000 0002', 'pm_card_chargeDeclined'],
    ['4000-0000-0000-9995', 'pm_card_chargeDeclinedInsufficientFunds'],
  ])('maps the Stripe test card %s to %s', (number, paymentMethodId) => {
    expect(validateCard({ number, ...valid }, NOW)).toEqual({ ok: true, paymentMethodId });
  });

  it('refuses any other card number with the sandbox message', () => {
    const result = validateCard({ number: '5555 5555 5555 4444', ...valid }, NOW);
    expect(result).toEqual({
      ok: false,
      errors: { number: 'This sandbox accepts Stripe test cards only, such as 4242 4242 4242 4242.' },
    });
  });

  it('checks expiry and CVC', () => {
    const number = '4242 4242 4242 4242';
    expect(validateCard({ number, expiry: '05 / 30', cvc: '123' }, NOW)).toMatchObject({
      errors: { expiry: 'This card has expired' },
    });
    expect(validateCard({ number, expiry: '13 / 40', cvc: '123' }, NOW)).toMatchObject({
      errors: { expiry: 'The month must be 01 to 12' },
    });
    expect(validateCard({ number, expiry: '', cvc: '1' }, NOW)).toMatchObject({
      errors: { expiry: 'Enter the expiry date', cvc: 'Enter the 3 or 4 digit security code' },
    });
    expect(validateCard({ number, expiry: '06 / 30', cvc: '1234' }, NOW)).toEqual({
      ok: true,
      paymentMethodId: 'pm_card_visa',
    });
  });
});

describe('input formatting', () => {
  it('groups card digits in fours', () => {
    expect(formatCardNumber('42424242424242424')).toBe('4242 4242 4242 4242 4');
    expect(formatCardNumber('4242-42')).toBe('4242 42');
  });

  it('adds the expiry slash as the month is typed and lets it be deleted', () => {
    expect(formatExpiry('12')).toBe('12 / ');
    expect(formatExpiry('1234')).toBe('12 / 34');
    expect(formatExpiry('12 /', '12 / ')).toBe('12');
  });
});
