'use client';

import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import { loadStripe, type Stripe } from '@stripe/stripe-js';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { SubmitButton } from '@/components/field';
import type { Payment } from '@/lib/types';

const stripeByKey = new Map<string, Promise<Stripe | null>>();

/** Stripe.js for a publishable key, loaded once per key. */
function stripeFor(publishableKey: string): Promise<Stripe | null> {
  let stripe = stripeByKey.get(publishableKey);
  if (!stripe) {
    // Offline or blocked: answer null, which the form reports, rather than an unhandled rejection.
    stripe = loadStripe(publishableKey).catch(() => null);
    stripeByKey.set(publishableKey, stripe);
  }
  return stripe;
}

/**
 * Stripe's Payment Element, used when the payments service hands out a publishable key: card
 * data goes straight to Stripe, which confirms the order's PaymentIntent (its client secret).
 */
export function StripePaymentForm({
  payment,
  publishableKey,
  amount,
  returnPath,
  onSubmitting,
  onSubmitted,
  onDeclined,
}: {
  payment: Payment;
  publishableKey: string;
  amount: string;
  returnPath: string;
  /** The payment is on its way: from here the order page stops its countdown. */
  onSubmitting: () => void;
  onSubmitted: () => void;
  /** A decline (or null to clear one); a decline also ends the submission. */
  onDeclined: (message: string | null) => void;
}) {
  const stripe = useMemo(() => stripeFor(publishableKey), [publishableKey]);
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    let current = true;
    void stripe.then((loaded) => {
      if (current && !loaded) setUnavailable(true);
    });
    return () => {
      current = false;
    };
  }, [stripe]);
  if (unavailable) {
    return (
      <div className="alert alert-error" role="alert">
        <p>The secure payment form could not be loaded. Check your connection and reload the page.</p>
      </div>
    );
  }
  return (
    <Elements
      stripe={stripe}
      options={{
        clientSecret: payment.clientSecret,
        appearance: {
          theme: 'stripe',
          variables: { colorPrimary: '#4338ca', borderRadius: '6px', fontFamily: 'system-ui, sans-serif' },
        },
      }}
    >
      <PaymentElementForm
        amount={amount}
        returnPath={returnPath}
        onSubmitting={onSubmitting}
        onSubmitted={onSubmitted}
        onDeclined={onDeclined}
      />
    </Elements>
  );
}

function PaymentElementForm({
  amount,
  returnPath,
  onSubmitting,
  onSubmitted,
  onDeclined,
}: {
  amount: string;
  returnPath: string;
  /** The payment is on its way: from here the order page stops its countdown. */
  onSubmitting: () => void;
  onSubmitted: () => void;
  /** A decline (or null to clear one); a decline also ends the submission. */
  onDeclined: (message: string | null) => void;
}) {
  const stripe = useStripe();
  const elements = useElements();
  const [busy, setBusy] = useState(false);
  const [ready, setReady] = useState(false);

  async function pay(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!stripe || !elements) return;
    onDeclined(null);
    setBusy(true);
    onSubmitting();
    const { error } = await stripe.confirmPayment({
      elements,
      redirect: 'if_required',
      confirmParams: { return_url: new URL(returnPath, window.location.origin).href },
    });
    setBusy(false);
    if (error) {
      onDeclined(error.message ?? 'The payment did not go through. Try another card.');
      return;
    }
    onSubmitted();
  }

  return (
    <form className="form" onSubmit={(e) => void pay(e)} aria-label="Card payment">
      <PaymentElement onReady={() => setReady(true)} options={{ layout: 'tabs' }} />
      {!ready && <p className="muted small">Loading the secure payment form…</p>}
      <SubmitButton busy={busy} busyLabel="Paying…" disabled={!stripe || !elements || !ready}>
        Pay {amount}
      </SubmitButton>
    </form>
  );
}
