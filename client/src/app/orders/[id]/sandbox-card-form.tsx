'use client';

import { useState, type FormEvent } from 'react';
import { Field, SubmitButton } from '@/components/field';
import { api, call } from '@/lib/api-client';
import { ApiError, messageFor } from '@/lib/errors';
import {
  formatCardNumber,
  formatExpiry,
  SANDBOX_CARD_HINTS,
  validateCard,
  type CardInput,
} from '@/lib/test-cards';

/**
 * The card form for the Stripe sandbox (no publishable key configured): it accepts Stripe's
 * test card numbers only and sends the matching test PaymentMethod through the payments API, so
 * the server-side confirmation, the signed webhook and the order completion all run for real.
 */
export function SandboxCardForm({
  orderId,
  amount,
  onSubmitting,
  onSubmitted,
  onDeclined,
}: {
  orderId: string;
  amount: string;
  /** The payment is on its way: from here the order page stops its countdown. */
  onSubmitting: () => void;
  onSubmitted: () => void;
  /** A decline (or null to clear one); a decline also ends the submission. */
  onDeclined: (message: string | null) => void;
}) {
  const [card, setCard] = useState<CardInput>({ number: '', expiry: '', cvc: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof CardInput, string>>>({});
  const [busy, setBusy] = useState(false);

  async function pay(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validateCard(card);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    onDeclined(null);
    setBusy(true);
    onSubmitting();
    try {
      await call(api.POST('/api/payments', { body: { orderId, paymentMethodId: checked.paymentMethodId } }));
      onSubmitted();
    } catch (err) {
      setBusy(false);
      // A confirmation already in flight: its outcome arrives like any other.
      if (err instanceof ApiError && (err.code === 'CONFLICT' || err.code === 'ORDER_ALREADY_PAID')) {
        onSubmitted();
        return;
      }
      onDeclined(messageFor(err));
    }
  }

  return (
    <form className="form" onSubmit={(e) => void pay(e)} noValidate aria-label="Card payment">
      <Field id="card-number" label="Card number" error={errors.number}>
        {(control) => (
          <input
            {...control}
            className="input input-mono"
            name="cardnumber"
            inputMode="numeric"
            autoComplete="cc-number"
            placeholder="4242 4242 4242 4242"
            value={card.number}
            onChange={(e) => setCard({ ...card, number: formatCardNumber(e.target.value) })}
          />
        )}
      </Field>
      <div className="field-row">
        <Field id="card-expiry" label="Expiry (MM / YY)" error={errors.expiry}>
          {(control) => (
            <input
              {...control}
              className="input input-mono"
              name="exp-date"
              inputMode="numeric"
              autoComplete="cc-exp"
              placeholder="12 / 34"
              value={card.expiry}
              onChange={(e) => setCard({ ...card, expiry: formatExpiry(e.target.value, card.expiry) })}
            />
          )}
        </Field>
        <Field id="card-cvc" label="Security code (CVC)" error={errors.cvc}>
          {(control) => (
            <input
              {...control}
              className="input input-mono"
              name="cvc"
              inputMode="numeric"
              autoComplete="cc-csc"
              placeholder="123"
              maxLength={4}
              value={card.cvc}
              onChange={(e) => setCard({ ...card, cvc: e.target.value.replace(/\D/g, '') })}
            />
          )}
        </Field>
      </div>
      <SubmitButton busy={busy} busyLabel="Paying…">
        Pay {amount}
      </SubmitButton>
      <div className="alert alert-info small">
        <div>
          <p style={{ marginBottom: '0.25rem' }}>
            <strong>Test mode.</strong> No real card is charged. Use any future expiry and any CVC:
          </p>
          <ul className="test-cards">
            {SANDBOX_CARD_HINTS.map((hint) => (
              <li key={hint.number}>
                <code>{hint.number}</code> {hint.outcome}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </form>
  );
}
