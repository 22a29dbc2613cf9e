import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { eventOffer } from '@/components/event-card';
import { FreshPage } from '@/components/fresh-page';
import { HoldNotice } from '@/components/hold-notice';
import { Icon } from '@/components/icon';
import { colorsOf } from '@/components/ticket-art';
import type { ApiClient } from '@/lib/api/call';
import { currentUser, serverApi, serverCall, serverCallOrNull } from '@/lib/api-server';
import { categoryLabel } from '@/lib/browse';
import { ApiError } from '@/lib/errors';
import { formatEventStart, hasStarted } from '@/lib/event-time';
import { feeSchedule } from '@/lib/fee-schedule';
import { eventJsonLd, inlineJson, metaDescription } from '@/lib/seo';
import { requestNonce, siteOrigin } from '@/lib/site';
import { EventListings } from './event-listings';

type Params = Promise<{ id: string }>;

const LISTINGS_PAGE = 50;

/** The event, or null when there is none with that id; read once per request (metadata and page). */
const findEvent = cache(async (id: string) => {
  const api = await serverApi();
  return serverCallOrNull(api.GET('/api/events/{id}', { params: { path: { id } } }));
});

/**
 * What the signed-in user does at this event's door: its organizer runs it, door staff scan (the
 * attendance answers them and refuses everyone else with 403), anyone else nothing.
 */
async function doorRoleOf(
  api: ApiClient,
  event: { id: string; organizerId: string },
  userId: string | undefined,
): Promise<'organizer' | 'staff' | null> {
  if (!userId) return null;
  if (userId === event.organizerId) return 'organizer';
  try {
    await serverCall(api.GET('/api/events/{id}/attendance', { params: { path: { id: event.id } } }));
    return 'staff';
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return null;
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const [event, origin] = await Promise.all([findEvent(id), siteOrigin()]);
  if (!event) return { title: 'Event not found', robots: { index: false } };
  const { date, time } = formatEventStart(event.startsAt, event.timezone);
  const url = `${origin}/events/${event.id}`;
  const title = `${event.name} tickets · ${event.venue}, ${event.city}`;
  const description = metaDescription(
    `${event.name} at ${event.venue}, ${event.city} on ${date}, ${time}. ${eventOffer(event)} — tickets from fans, held for you while you pay.`,
  );
  return {
    title,
    description,
    alternates: { canonical: url },
    openGraph: { type: 'website', siteName: 'Glotixz', title, description, url },
    twitter: { card: 'summary', title, description },
  };
}

/** One event: when and where, and its tickets on sale by price, each with its own Buy. */
export default async function EventPage({ params }: { params: Params }) {
  const { id } = await params;
  const [event, user, api, origin, nonce, fees] = await Promise.all([
    findEvent(id),
    currentUser(),
    serverApi(),
    siteOrigin(),
    requestNonce(),
    feeSchedule(),
  ]);
  if (!event) notFound();

  const now = Date.now();
  const started = hasStarted(event.startsAt, now);
  const doorRole = await doorRoleOf(api, event, user?.id);
  const listings = started
    ? { items: [], nextCursor: null }
    : await serverCall(
        api.GET('/api/tickets', {
          params: { query: { eventId: event.id, sort: 'price', limit: LISTINGS_PAGE } },
        }),
      );
  const { date, time } = formatEventStart(event.startsAt, event.timezone);
  const url = `${origin}/events/${event.id}`;

  return (
    <FreshPage renderId={crypto.randomUUID()}>
      <script
        type="application/ld+json"
        nonce={nonce}
        dangerouslySetInnerHTML={{ __html: inlineJson(eventJsonLd(event, url, now)) }}
      />
      <div className="container">
        <Link href="/" className="back-link">
          ← All events
        </Link>
        <section className="event-hero" style={colorsOf(event.id)} aria-labelledby="event-title">
          <span className="event-category event-category-light">{categoryLabel(event.category)}</span>
          <h1 id="event-title">{event.name}</h1>
          <ul className="event-facts">
            <li>
              <Icon name="calendar" size={18} />
              <time dateTime={event.startsAt}>
                {date} · {time}
              </time>
              <span className="event-zone">({event.timezone.replace(/_/g, ' ')} time)</span>
            </li>
            <li>
              <Icon name="pin" size={18} />
              <span>
                {event.venue}, {event.city}, {event.country}
              </span>
            </li>
            <li>
              <Icon name="ticket" size={18} />
              <span data-testid="event-offer">{started ? 'Tickets no longer sold' : eventOffer(event)}</span>
            </li>
          </ul>
        </section>

        {doorRole === 'organizer' && (
          <p className="mt-3" data-testid="door-link">
            <Link href={`/events/${event.id}/door`}>Door: staff and check-in</Link>
          </p>
        )}
        {doorRole === 'staff' && (
          <p className="mt-3" data-testid="door-link">
            <Link href={`/scan?event=${event.id}`}>You are door staff: scan tickets</Link>
          </p>
        )}

        {started ? (
          <div className="alert alert-warning mt-5" role="note" data-testid="event-started">
            <p>
              <strong>This event has started.</strong> Its tickets are no longer sold on Glotixz.{' '}
              <Link href="/">Find another event</Link>
            </p>
          </div>
        ) : (
          <>
            <div className="page-header mt-5">
              <div>
                <h2 style={{ margin: 0 }}>Tickets on sale</h2>
                <p className="muted" style={{ margin: 0 }}>
                  Cheapest first. Every ticket is sold by a fan.
                </p>
              </div>
              <Link href={`/sell?event=${event.id}`} className="btn btn-secondary btn-sm">
                Sell a ticket for this event
              </Link>
            </div>
            {listings.items.length > 0 && <HoldNotice />}
            <EventListings
              key={listings.items.map((t) => `${t.id}:${t.version}`).join(',')}
              eventId={event.id}
              initial={listings.items}
              initialCursor={listings.nextCursor}
              pageSize={LISTINGS_PAGE}
              viewerId={user?.id ?? null}
              feeSchedule={fees}
            />
          </>
        )}
      </div>
    </FreshPage>
  );
}
