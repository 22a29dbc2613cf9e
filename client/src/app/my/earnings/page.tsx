import type { Metadata } from 'next';
import Link from 'next/link';
import { requireUser, serverApi, serverCall } from '@/lib/api-server';
import { formatMoney } from '@/lib/money';
import { formatDateTime } from '@/lib/time';
import type { PayoutAccountStatus, Sale } from '@/lib/types';
import { GetPaidButton } from './get-paid-button';

export const metadata: Metadata = { title: 'Earnings', robots: { index: false } };

type SearchParams = Promise<{ onboarding?: string | string[] }>;

const SALE_STATUS: Record<Sale['status'], { label: string; className: string }> = {
  pending: { label: 'Waiting for your payout account', className: 'badge badge-awaiting' },
  scheduled: { label: 'Scheduled', className: 'badge badge-reserved' },
  paid: { label: 'Paid out', className: 'badge badge-complete' },
  reversed: { label: 'Refunded to the buyer', className: 'badge badge-cancelled' },
  failed: { label: 'Payout failed, retrying', className: 'badge badge-cancelled' },
};

/** The seller's money: the payout account, what is pending, scheduled and paid, and every sale. */
export default async function EarningsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireUser('/my/earnings');
  const { onboarding } = await searchParams;
  const api = await serverApi();
  const [account, sales] = await Promise.all([
    serverCall(api.GET('/api/payouts/account')),
    serverCall(api.GET('/api/payouts')),
  ]);
  const totals = Object.entries(sales.totals);
  return (
    <div className="container">
      <div className="page-header">
        <div>
          <h1>Earnings</h1>
          <p>
            You receive your listed price for every ticket you sell; buyers pay the platform fee on top. Each
            sale is paid out to your bank through Stripe after its event has started.
          </p>
        </div>
        <Link href="/my/listings" className="btn btn-secondary">
          My listings
        </Link>
      </div>
      {onboarding === 'done' && account.status !== 'enabled' && (
        <div className="alert alert-info" role="status">
          <p>Thanks. Stripe is checking your details; this page shows when payouts are on.</p>
        </div>
      )}
      {onboarding === 'refresh' && (
        <div className="alert alert-warning" role="status">
          <p>That setup link expired. Start again below; Stripe keeps what you already entered.</p>
        </div>
      )}
      <section
        className="card stack earnings-account"
        data-testid="payout-account"
        data-status={account.status}
      >
        <AccountCard status={account.status} />
      </section>
      {totals.length > 0 && (
        <section className="earnings-totals" aria-label="Totals">
          {totals.map(([currency, t]) => (
            <div key={currency} className="card card-tight earnings-total" data-testid={`totals-${currency}`}>
              <dl className="summary">
                <div>
                  <dt>Pending</dt>
                  <dd>{formatMoney(t.pending, currency)}</dd>
                </div>
                <div>
                  <dt>Scheduled</dt>
                  <dd>{formatMoney(t.scheduled, currency)}</dd>
                </div>
                <div className="total">
                  <dt>Paid out</dt>
                  <dd>{formatMoney(t.paid, currency)}</dd>
                </div>
              </dl>
            </div>
          ))}
        </section>
      )}
      <h2 className="mt-5">Sales</h2>
      {sales.items.length === 0 ? (
        <p className="muted" data-testid="sales-empty">
          No sales yet. When a buyer pays for one of your tickets, it shows here with its payout date.
        </p>
      ) : (
        <ul className="list" aria-label="Your sales">
          {sales.items.map((sale) => (
            <li key={sale.orderId} className="list-item" data-testid="sale-row" data-status={sale.status}>
              <div className="list-item-main">
                <span className="list-item-title">{sale.title ?? 'Ticket'}</span>
                <div className="list-item-sub">
                  Buyer paid {formatMoney(sale.gross, sale.currency)} · fee{' '}
                  {formatMoney(sale.fee, sale.currency)} · you receive{' '}
                  <strong>{formatMoney(sale.net, sale.currency)}</strong>
                </div>
                <div className="list-item-sub">
                  {sale.status === 'paid' && sale.paidAt
                    ? `Paid out ${formatDateTime(sale.paidAt)}`
                    : sale.status === 'reversed'
                      ? 'No payout: the buyer was refunded'
                      : `Payout ${formatDateTime(sale.transferAt)}`}
                  {sale.status === 'failed' && sale.lastError && <> · {sale.lastError}</>}
                </div>
              </div>
              <span className={SALE_STATUS[sale.status].className}>{SALE_STATUS[sale.status].label}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function AccountCard({ status }: { status: PayoutAccountStatus }) {
  switch (status) {
    case 'enabled':
      return (
        <>
          <h2>Payouts are on</h2>
          <p className="muted">Your Stripe account is verified; each sale is paid out after its event.</p>
        </>
      );
    case 'restricted':
      return (
        <>
          <h2>Stripe needs more from you</h2>
          <p className="muted">
            Payouts are paused until Stripe has the details it asks for. Your sales are kept and paid once it
            does.
          </p>
          <GetPaidButton label="Update your details" />
        </>
      );
    case 'pending':
      return (
        <>
          <h2>Finish setting up payouts</h2>
          <p className="muted">You started with Stripe but have not finished. Your sales wait for you.</p>
          <GetPaidButton label="Continue with Stripe" />
        </>
      );
    default:
      return (
        <>
          <h2>Get paid</h2>
          <p className="muted">
            Connect a bank account through Stripe to receive your sales. You can list tickets before you do;
            payouts wait until you have.
          </p>
          <GetPaidButton label="Get paid" />
        </>
      );
  }
}
