import type { Metadata } from 'next';
import { requireUser } from '@/lib/api-server';
import { Scanner } from './scanner';

export const metadata: Metadata = { title: 'Scan tickets' };

type SearchParams = Promise<{ event?: string | string[] }>;

/** The door scanner: camera or typed code, for an event's organizer and door staff. */
export default async function ScanPage({ searchParams }: { searchParams: SearchParams }) {
  const { event } = await searchParams;
  const eventId = typeof event === 'string' ? event : undefined;
  await requireUser(eventId ? `/scan?event=${encodeURIComponent(eventId)}` : '/scan');
  return (
    <div className="container">
      <h1>Scan tickets</h1>
      <Scanner eventId={eventId} />
    </div>
  );
}
