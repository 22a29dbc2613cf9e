import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser, serverApi, serverCallOrNull } from '@/lib/api-server';
import { DoorView } from './door-view';

export const metadata: Metadata = { title: 'Door' };

type Params = Promise<{ id: string }>;

/** The organizer's door page of an event: who may scan, and live attendance. */
export default async function DoorPage({ params }: { params: Params }) {
  const { id } = await params;
  const user = await requireUser(`/events/${id}/door`);
  const api = await serverApi();
  const event = await serverCallOrNull(api.GET('/api/events/{id}', { params: { path: { id } } }));
  if (!event) notFound();
  return (
    <div className="container">
      <Link href={`/events/${id}`} className="back-link">
        ← {event.name}
      </Link>
      <h1>Door</h1>
      {user.id === event.organizerId ? (
        <DoorView eventId={id} />
      ) : (
        <p>Only the organizer of this event manages its door.</p>
      )}
      <p>
        <Link href={`/scan?event=${id}`} className="btn">
          Open the scanner
        </Link>
      </p>
    </div>
  );
}
