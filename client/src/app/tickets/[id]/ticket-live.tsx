'use client';

import { createContext, useContext, useState, type ReactNode } from 'react';
import { ListingStatusBadge } from '@/components/status-badge';
import type { TicketStatus } from '@/lib/types';

interface TicketLiveValue {
  status: TicketStatus;
  /** Says the ticket just became unorderable (the orders service answered so), and how. */
  markTaken: (status: Exclude<TicketStatus, 'available'>) => void;
}

const TicketLiveContext = createContext<TicketLiveValue>({ status: 'available', markTaken: () => undefined });

/**
 * The ticket's status as this page knows it: what the server rendered, unless the orders
 * service has since told the visitor it was reserved, sold, taken down or closed (a race lost on
 * Buy). The tickets service
 * learns of the reservation through events a moment later, so the page says it at once rather
 * than showing Available beside "someone just reserved this".
 */
export function TicketLive({ status, children }: { status: TicketStatus; children: ReactNode }) {
  const [takenAs, setTakenAs] = useState<TicketStatus | null>(null);
  const shown: TicketStatus = status === 'available' && takenAs ? takenAs : status;
  return (
    <TicketLiveContext.Provider value={{ status: shown, markTaken: setTakenAs }}>
      {children}
    </TicketLiveContext.Provider>
  );
}

/** The ticket's status badge, as {@link TicketLive} knows it. */
export function LiveStatusBadge() {
  return <ListingStatusBadge status={useContext(TicketLiveContext).status} />;
}

/** The ticket's live status and the way to report it taken. */
export function useTicketLive(): TicketLiveValue {
  return useContext(TicketLiveContext);
}
