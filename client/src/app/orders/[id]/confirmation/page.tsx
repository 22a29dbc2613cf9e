import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { requireUser, serverFetchOrNull } from '@/lib/api-server';
import type { Order } from '@/lib/types';
import { Confirmation } from '../confirmation-view';

export const metadata: Metadata = { title: 'Order confirmed' };

type Params = Promise<{ id: string }>;

/** The receipt of a paid order; an unpaid one goes back to its order page. */
export default async function ConfirmationPage({ params }: { params: Params }) {
  const { id } = await params;
  await requireUser(`/orders/${id}/confirmation`);
  const order = await serverFetchOrNull<Order>(`/api/orders/${encodeURIComponent(id)}`);
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
