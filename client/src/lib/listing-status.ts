import type { Ticket, TicketStatus } from './types';

/** How a seller's listing reads in each state: its badge, the note beside the price, and whether it can be edited. */
export interface ListingState {
  label: string;
  badgeClass: string;
  /** Shown beside the price in My listings; null when there is nothing to explain. */
  note: string | null;
  editable: boolean;
  /** Why the Edit button is disabled; null when it is not. */
  lockedReason: string | null;
}

const STATES: Record<TicketStatus, ListingState> = {
  available: {
    label: 'Available',
    badgeClass: 'badge badge-available',
    note: null,
    editable: true,
    lockedReason: null,
  },
  reserved: {
    label: 'Reserved',
    badgeClass: 'badge badge-reserved',
    note: 'A buyer holds it: sold once they pay, back on sale if their hold expires.',
    editable: false,
    lockedReason: 'Reserved tickets cannot be edited',
  },
  sold: {
    label: 'Sold',
    badgeClass: 'badge badge-sold',
    note: 'Sold: the buyer has paid for it.',
    editable: false,
    lockedReason: 'Sold tickets cannot be edited',
  },
};

/** How a listing in `status` reads. */
export function listingState(status: TicketStatus): ListingState {
  return STATES[status];
}

/** What a seller is told when an edit answers 409 because the ticket was taken meanwhile. */
export function lockedNotice(fresh: Pick<Ticket, 'status'> | null): string {
  return fresh?.status === 'sold'
    ? 'This ticket has just been sold, so it can no longer be edited.'
    : 'A buyer has just reserved this ticket, so it can no longer be edited.';
}
