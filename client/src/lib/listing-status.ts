import type { Ticket, TicketStatus } from './types';

/** How a seller's listing reads in each state: its badge, the note beside the price, and what the seller can do. */
export interface ListingState {
  label: string;
  badgeClass: string;
  /** Shown beside the price in My listings; null when there is nothing to explain. */
  note: string | null;
  editable: boolean;
  /** Why the Edit button is disabled; null when it is not. */
  lockedReason: string | null;
  /** Which of Take down / Relist the listing offers, if either. */
  action: 'take-down' | 'relist' | null;
}

const STATES: Record<TicketStatus, ListingState> = {
  available: {
    label: 'On sale',
    badgeClass: 'badge badge-available',
    note: null,
    editable: true,
    lockedReason: null,
    action: 'take-down',
  },
  reserved: {
    label: 'Reserved',
    badgeClass: 'badge badge-reserved',
    note: 'A buyer holds it: sold once they pay, back on sale if their hold expires.',
    editable: false,
    lockedReason: 'Reserved tickets cannot be edited',
    action: null,
  },
  sold: {
    label: 'Sold',
    badgeClass: 'badge badge-sold',
    note: 'Sold: the buyer has paid for it.',
    editable: false,
    lockedReason: 'Sold tickets cannot be edited',
    action: null,
  },
  unlisted: {
    label: 'Taken down',
    badgeClass: 'badge badge-unlisted',
    note: 'Taken down: buyers cannot see it until you relist it.',
    editable: true,
    lockedReason: null,
    action: 'relist',
  },
  closed: {
    label: 'Closed',
    badgeClass: 'badge badge-closed',
    note: 'Closed: the event has started, so it can no longer be sold.',
    editable: false,
    lockedReason: 'The event has started',
    action: null,
  },
};

/** How a listing in `status` reads. */
export function listingState(status: TicketStatus): ListingState {
  return STATES[status];
}

/** What a seller is told when an edit, take-down or relist answers 409 because the listing changed meanwhile. */
export function lockedNotice(fresh: Pick<Ticket, 'status'> | null, code?: string): string {
  if (code === 'EVENT_STARTED' || fresh?.status === 'closed') {
    return 'The event has started, so this listing is closed and can no longer change.';
  }
  if (code === 'TICKET_SOLD' || fresh?.status === 'sold') {
    return 'This ticket has just been sold, so it can no longer be changed.';
  }
  return 'A buyer has just reserved this ticket, so it cannot change while they hold it.';
}
