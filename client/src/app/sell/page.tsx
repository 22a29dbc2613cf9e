import type { Metadata } from 'next';
import { requireUser } from '@/lib/api-server';
import { SellForm } from './sell-form';

export const metadata: Metadata = { title: 'Sell a ticket' };

/** Listing a ticket for sale. */
export default async function SellPage() {
  await requireUser('/sell');
  return (
    <div className="container container-narrow">
      <div className="page-header">
        <div>
          <h1>Sell a ticket</h1>
          <p>List it in a minute. Buyers see it on the marketplace straight away.</p>
        </div>
      </div>
      <div className="card">
        <SellForm />
      </div>
    </div>
  );
}
