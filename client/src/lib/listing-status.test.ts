import { listingState, lockedNotice } from './listing-status';

describe('listing state', () => {
  it('labels each status and lets the seller edit only a listing on sale or taken down', () => {
    expect(listingState('available')).toMatchObject({ label: 'On sale', editable: true, note: null });
    expect(listingState('reserved')).toMatchObject({ label: 'Reserved', editable: false });
    expect(listingState('sold')).toMatchObject({ label: 'Sold', editable: false });
    expect(listingState('unlisted')).toMatchObject({ label: 'Taken down', editable: true });
    expect(listingState('closed')).toMatchObject({ label: 'Closed', editable: false });
  });

  it('offers Take down on sale, Relist when taken down, and neither once a buyer or the clock has it', () => {
    expect(listingState('available').action).toBe('take-down');
    expect(listingState('unlisted').action).toBe('relist');
    expect(listingState('reserved').action).toBeNull();
    expect(listingState('sold').action).toBeNull();
    expect(listingState('closed').action).toBeNull();
  });

  it('says a reserved ticket is sold only once the buyer pays, and a sold one is paid for', () => {
    expect(listingState('reserved').note).toContain('sold once they pay');
    expect(listingState('sold').note).toContain('has paid');
    expect(listingState('sold').badgeClass).toContain('badge-sold');
    expect(listingState('closed').note).toContain('event has started');
  });

  it('explains a refused change by what happened to the ticket', () => {
    expect(lockedNotice({ status: 'sold' })).toContain('just been sold');
    expect(lockedNotice({ status: 'reserved' })).toContain('just reserved');
    expect(lockedNotice(null)).toContain('just reserved');
    expect(lockedNotice(null, 'TICKET_SOLD')).toContain('just been sold');
    expect(lockedNotice({ status: 'available' }, 'EVENT_STARTED')).toContain('event has started');
  });
});
