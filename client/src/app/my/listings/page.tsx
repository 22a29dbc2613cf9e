import type { Metadata } from 'next';
import Link from 'next/link';
import { requireUser, serverApi, serverCall } from '@/lib/api-server';
import { feeSchedule } from '@/lib/fee-schedule';
import { FreshPage } from '@/components/fresh-page';
import { MyListings } from './my-listings';
import { Icon } from '@/components/icon';

export const metadata: Metadata = { title: 'My listings', robots: { index: false } };

/** The seller's own listings in every state: on sale, reserved, sold, taken down or closed. */
export default async function MyListingsPage() {
  await requireUser('/my/listings');
  const api = await serverApi();
  const [page, fees] = await Promise.all([
    serverCall(api.GET('/api/tickets/mine', { params: { query: { limit: 50 } } })),
    feeSchedule(),
  ]);
  const renderId = crypto.randomUUID();
  return (
    <FreshPage renderId={renderId}>
      <div className="container">
        <div className="page-header">
          <div>
            <h1>My listings</h1>
            <p>
              Edit or take down a ticket while it is on sale, and relist it when you like. Once a buyer
              reserves it, it is locked.
            </p>
          </div>
          <div className="row">
            <Link href="/my/earnings" className="btn btn-secondary">
              Earnings
            </Link>
            <Link href="/sell" className="btn btn-primary">
              + Sell a ticket
            </Link>
          </div>
        </div>
        {page.items.length === 0 ? (
          <div className="empty" data-testid="listings-empty">
            <div className="empty-icon">
              <Icon name="tag" size={36} />
            </div>
            <h2>You are not selling anything yet</h2>
            <p>List a ticket you cannot use — buyers are waiting.</p>
            <Link href="/sell" className="btn btn-primary">
              Sell a ticket
            </Link>
          </div>
        ) : (
          <MyListings
            key={renderId}
            initial={page.items}
            initialCursor={page.nextCursor}
            feeSchedule={fees}
          />
        )}
      </div>
    </FreshPage>
  );
}
