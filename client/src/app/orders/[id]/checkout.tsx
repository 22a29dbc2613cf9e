'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { Icon } from '@/components/icon';
import { api, call, sleep } from '@/lib/api-client';
import { ApiError, declineMessage, messageFor } from '@/lib/errors';
import { formatMoney } from '@/lib/money';
import type { Order, Payment } from '@/lib/types';
import { SandboxCardForm } from './sandbox-card-form';
import { StripePaymentForm } from './stripe-payment-form';

type Stage =
  | { kind: 'preparing' }
  | { kind: 'ready'; payment: Payment }
  | { kind: 'confirming' }
  | { kind: 'slow' }
  | { kind: 'failed'; message: string; retry: boolean };

/**
 * Creates (or fetches) the order's payment. Payments learns about a new order through events, so
 * right after the order is placed it may not know it yet: a 404 is retried for a few seconds.
 */
async function createPayment(orderId: string): Promise<Payment> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(api.POST('/api/payments', { body: { orderId } }));
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'NOT_FOUND') || attempt >= 8) throw err;
      await sleep(300 * (attempt + 1));
    }
  }
}

/** How long to wait for Stripe's webhook to complete the order before saying it is slow. */
const PATIENCE_MS = 45_000;

/**
 * Payment for an order. The payments service creates the order's PaymentIntent (asking again
 * answers the same one); with a Stripe publishable key the Payment Element confirms it in the
 * browser, otherwise the sandbox card form confirms a Stripe test card through the payments API.
 * Success is only known once Stripe's webhook reached payments and the order is complete, so
 * after paying the order is polled until then.
 */
export function Checkout({
  order,
  onPaid,
  onOrderChanged,
  onPayingChange,
}: {
  order: Order;
  onPaid: (order: Order) => void;
  onOrderChanged: (order: Order) => void;
  /** True from the moment a payment is submitted until it is declined or the order moves on. */
  onPayingChange: (paying: boolean) => void;
}) {
  const [stage, setStage] = useState<Stage>({ kind: 'preparing' });
  const [decline, setDecline] = useState<string | null>(null);
  // A card form is sending its payment (before the confirming stage begins).
  const [submitting, setSubmitting] = useState(false);
  const polling = useRef<AbortController | null>(null);

  const paying = submitting || stage.kind === 'confirming' || stage.kind === 'slow';
  useEffect(() => {
    onPayingChange(paying);
  }, [paying, onPayingChange]);

  /** Follows the order (and its payment) until the webhook has completed it, or a late decline. */
  const waitForCompletion = useCallback(async () => {
    polling.current?.abort();
    const controller = new AbortController();
    polling.current = controller;
    setStage({ kind: 'confirming' });
    setDecline(null);
    const started = Date.now();
    try {
      for (let attempt = 0; ; attempt++) {
        const fresh = await call(
          api.GET('/api/orders/{id}', { params: { path: { id: order.id } }, signal: controller.signal }),
        ).catch((err: unknown) => {
          if (controller.signal.aborted) throw err;
          return null;
        });
        if (fresh?.status === 'complete') return onPaid(fresh);
        if (fresh && fresh.status !== 'awaiting_payment') return onOrderChanged(fresh);
        if (attempt % 3 === 2) {
          const payment = await call(
            api.GET('/api/payments', { params: { query: { orderId: order.id } }, signal: controller.signal }),
          ).catch(() => null);
          // Stripe may decline after accepting the confirmation; the webhook records it.
          if (payment?.status === 'failed') {
            setDecline(
              payment.lastError
                ? declineMessage(payment.lastError.declineCode, payment.lastError.message)
                : 'The payment did not go through. Try again.',
            );
            setStage({ kind: 'ready', payment });
            return;
          }
        }
        if (Date.now() - started > PATIENCE_MS) setStage({ kind: 'slow' });
        await sleep(attempt < 10 ? 700 : 2000, controller.signal);
      }
    } catch {
      // aborted: the component went away or a new attempt started
    }
  }, [order.id, onPaid, onOrderChanged]);

  const onDeclined = useCallback((message: string | null) => {
    setDecline(message);
    if (message !== null) setSubmitting(false);
  }, []);
  const onSubmitted = useCallback(() => {
    setSubmitting(false);
    void waitForCompletion();
  }, [waitForCompletion]);

  const prepare = useCallback(async () => {
    setStage({ kind: 'preparing' });
    try {
      const payment = await createPayment(order.id);
      if (payment.status === 'succeeded' || payment.status === 'processing') {
        void waitForCompletion();
        return;
      }
      if (payment.status === 'failed' && payment.lastError) {
        setDecline(declineMessage(payment.lastError.declineCode, payment.lastError.message));
      }
      setStage({ kind: 'ready', payment });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ORDER_ALREADY_PAID') {
        void waitForCompletion();
        return;
      }
      const payable = !(err instanceof ApiError && err.code === 'ORDER_NOT_PAYABLE');
      setStage({ kind: 'failed', message: messageFor(err), retry: payable });
      if (!payable) {
        call(api.GET('/api/orders/{id}', { params: { path: { id: order.id } } })).then(
          onOrderChanged,
          () => undefined,
        );
      }
    }
  }, [order.id, onOrderChanged, waitForCompletion]);

  useEffect(() => {
    void prepare();
    return () => polling.current?.abort();
  }, [prepare]);

  // The buyer pays the order's total: the price plus the platform fee fixed with it.
  const amount = formatMoney(order.ticket.total, order.ticket.currency);

  return (
    <section className="card stack" aria-labelledby="payment-title">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="payment-title" style={{ margin: 0 }}>
          Payment
        </h2>
        <span className="muted small row" style={{ gap: '0.35rem' }}>
          <Icon name="lock" size={16} /> Secured by Stripe
        </span>
      </div>

      <div aria-live="assertive">
        {decline && (
          <div className="alert alert-error" role="alert" data-testid="payment-error">
            <p>{decline}</p>
          </div>
        )}
      </div>

      <div aria-live="polite">
        {stage.kind === 'preparing' && (
          <div role="status" className="stack">
            <div className="skeleton skeleton-line" style={{ height: '44px' }} />
            <div className="skeleton skeleton-line" style={{ height: '44px' }} />
            <span className="visually-hidden">Preparing payment…</span>
          </div>
        )}
        {(stage.kind === 'confirming' || stage.kind === 'slow') && (
          <div className="alert alert-info" role="status" data-testid="payment-confirming">
            <span className="spinner" aria-hidden="true" style={{ marginTop: '0.2rem' }} />
            <p>
              {stage.kind === 'confirming'
                ? 'Payment received — confirming your order…'
                : 'Your bank is taking a little longer than usual. This page updates as soon as it confirms; you will not be charged twice.'}
            </p>
          </div>
        )}
        {stage.kind === 'failed' && (
          <div className="stack">
            <div className="alert alert-error" role="alert">
              <p>{stage.message}</p>
            </div>
            {stage.retry && (
              <button type="button" className="btn btn-secondary" onClick={() => void prepare()}>
                Try again
              </button>
            )}
          </div>
        )}
      </div>

      {stage.kind === 'ready' &&
        (stage.payment.publishableKey ? (
          <StripePaymentForm
            payment={stage.payment}
            publishableKey={stage.payment.publishableKey}
            amount={amount}
            returnPath={`/orders/${order.id}`}
            onSubmitting={() => setSubmitting(true)}
            onSubmitted={onSubmitted}
            onDeclined={onDeclined}
          />
        ) : (
          <SandboxCardForm
            orderId={order.id}
            amount={amount}
            onSubmitting={() => setSubmitting(true)}
            onSubmitted={onSubmitted}
            onDeclined={onDeclined}
          />
        ))}
    </section>
  );
}
