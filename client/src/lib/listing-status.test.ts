import { listingState, lockedNotice } from './listing-status';

describe('listing state', () => {
  it('labels each status and lets the seller edit only an available ticket', () => {
    expect(listingState('available')).toMatchObject({ label: 'Available', editable: true, note: null });
    expect(listingState('reserved')).toMatchObject({ label: 'Reserved', editable: false });
    expect(listingState('sold')).toMatchObject({ label: 'Sold', editable: false });
  });

  it('says a reserved ticket is sold only once the buyer pays, and a sold one is paid for', () => {
    expect(listingState('reserved').note).toContain('sold once they pay');
    expect(listingState('sold').note).toContain('has paid');
    expect(listingState('sold').badgeClass).toContain('badge-sold');
  });

  it('explains a refused edit by what happened to the ticket', () => {
    expect(lockedNotice({ status: 'sold' })).toContain('just been sold');
    expect(lockedNotice({ status: 'reserved' })).toContain('just reserved');
    expect(lockedNotice(null)).toContain('just reserved');
  });
});
