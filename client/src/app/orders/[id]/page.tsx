import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FreshPage } from '@/components/fresh-page';
import { requireUser, serverApi, serverCallOrNull } from '@/lib/api-server';
import { Confirmation } from './confirmation-view';
import { OrderView } from './order-view';

export const metadata: Metadata = { title: 'Your order' };

type Params = Promise<{ id: string }>;

/** One order: the hold countdown and payment while it awaits payment, the confirmation once paid. */
export default async function OrderPage({ params }: { params: Params }) {
  const { id } = await params;
  await requireUser(`/orders/${id}`);
  const api = await serverApi();
  const order = await serverCallOrNull(api.GET('/api/orders/{id}', { params: { path: { id } } }));
  if (!order) notFound();
  return (
    <FreshPage renderId={crypto.randomUUID()}>
      <div className="container">
        <Link href="/orders" className="back-link">
          ← My orders
        </Link>
        {order.status === 'complete' ? <Confirmation order={order} /> : <OrderView initial={order} />}
      </div>
    </FreshPage>
  );
}
