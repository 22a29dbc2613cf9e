import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { requireUser, serverApi, serverCallOrNull } from '@/lib/api-server';
import { Confirmation } from '../confirmation-view';

export const metadata: Metadata = { title: 'Order confirmed' };

type Params = Promise<{ id: string }>;

/** The receipt of a paid order; an unpaid one goes back to its order page. */
export default async function ConfirmationPage({ params }: { params: Params }) {
  const { id } = await params;
  await requireUser(`/orders/${id}/confirmation`);
  const api = await serverApi();
  const order = await serverCallOrNull(api.GET('/api/orders/{id}', { params: { path: { id } } }));
  if (!order) notFound();
  if (order.status !== 'complete') redirect(`/orders/${order.id}`);
  return (
    <div className="container">
      <Link href="/orders" className="back-link">
        ← My orders
      </Link>
      <Confirmation order={order} />
    </div>
  );
}
