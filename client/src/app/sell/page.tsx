import type { Metadata } from 'next';
import { requireUser, serverApi, serverCallOrNull } from '@/lib/api-server';
import { feeSchedule } from '@/lib/fee-schedule';
import { SellForm } from './sell-form';

export const metadata: Metadata = { title: 'Sell a ticket', robots: { index: false } };

/** Listing a ticket for sale; `?event=<id>` starts with that event picked. */
export default async function SellPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { event: eventParam } = await searchParams;
  const eventId = Array.isArray(eventParam) ? eventParam[0] : eventParam;
  await requireUser(eventId ? `/sell?event=${encodeURIComponent(eventId)}` : '/sell');
  const api = await serverApi();
  const event =
    eventId && /^[0-9a-f-]{36}$/i.test(eventId)
      ? await serverCallOrNull(api.GET('/api/events/{id}', { params: { path: { id: eventId } } }))
      : null;
  const upcoming = event && Date.parse(event.startsAt) > Date.now() ? event : null;
  return (
    <div className="container container-narrow">
      <div className="page-header">
        <div>
          <h1>Sell a ticket</h1>
          <p>List it in a minute. Buyers see it on the event’s page straight away.</p>
        </div>
      </div>
      <SellForm initialEvent={upcoming} feeSchedule={await feeSchedule()} />
    </div>
  );
}
