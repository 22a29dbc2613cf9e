import { orderLabel, orderState } from './order-state';

const NOW = Date.parse('2026-03-03T12:00:00Z');
const LATER = '2026-03-03T12:10:00Z';
const EARLIER = '2026-03-03T11:50:00Z';

describe('orderState', () => {
  it('reads a cancelled order by its reason, whenever it is looked at', () => {
    expect(orderState({ status: 'cancelled', expiresAt: EARLIER, cancelReason: 'expired' }, NOW)).toBe(
      'expired',
    );
    expect(orderLabel('expired').label).toBe('Expired');
    expect(orderState({ status: 'cancelled', expiresAt: EARLIER, cancelReason: 'buyer' }, NOW)).toBe(
      'cancelled',
    );
    expect(orderState({ status: 'cancelled', expiresAt: LATER, cancelReason: 'expired' }, NOW)).toBe(
      'expired',
    );
  });

  it('reads an unpaid order past its deadline as expired before the service records it', () => {
    expect(orderState({ status: 'awaiting_payment', expiresAt: EARLIER, cancelReason: null }, NOW)).toBe(
      'expired',
    );
    expect(orderState({ status: 'awaiting_payment', expiresAt: LATER, cancelReason: null }, NOW)).toBe(
      'awaiting',
    );
    expect(orderState({ status: 'complete', expiresAt: EARLIER, cancelReason: null }, NOW)).toBe('paid');
  });

  it('reads a refunded order as refunded, whatever happened before', () => {
    expect(orderState({ status: 'refunded', expiresAt: EARLIER, cancelReason: null }, NOW)).toBe('refunded');
    expect(orderState({ status: 'refunded', expiresAt: LATER, cancelReason: 'expired' }, NOW)).toBe(
      'refunded',
    );
    expect(orderLabel('refunded').label).toBe('Refunded');
  });

  it('without a reason from the service, says cancelled unless the page saw the hold run out', () => {
    expect(orderState({ status: 'cancelled', expiresAt: EARLIER }, NOW)).toBe('cancelled');
    expect(orderState({ status: 'cancelled', expiresAt: EARLIER }, NOW, true)).toBe('expired');
  });
});
