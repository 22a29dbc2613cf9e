import { cardForNumber, cardForTestPaymentMethod, passesLuhn, testPaymentMethodIds } from './test-cards';

describe('test cards', () => {
  it.each(['4242424242424242', '5555555555554444', '378282246310005', '4000000000009995'])(
    'accepts the Luhn checksum of %s',
    (number) => expect(passesLuhn(number)).toBe(true),
  );

  it.each(['4242424242424241', '5555555555554440', '1234567812345678'])(
    'refuses the Luhn checksum of %s',
    (number) => expect(passesLuhn(number)).toBe(false),
  );

  it('resolves every test PaymentMethod id to a Luhn-valid test card', () => {
    for (const id of testPaymentMethodIds) {
      const card = cardForTestPaymentMethod(id);
      expect(card).toBeDefined();
      expect(passesLuhn(card!.number)).toBe(true);
      expect(card!.outcome).not.toMatchObject({ declineCode: 'test_mode_live_card' });
    }
  });

  it('knows nothing of other pm_ ids', () => {
    expect(cardForTestPaymentMethod('pm_card_unknown')).toBeUndefined();
  });

  it('declines a number that is not a test card as a live card, guessing its brand', () => {
    expect(cardForNumber('5105105105105100')).toMatchObject({
      brand: 'mastercard',
      outcome: { kind: 'decline', code: 'card_declined', declineCode: 'test_mode_live_card' },
    });
  });
});
