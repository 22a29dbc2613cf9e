'use client';

import { useState } from 'react';
import { api, call } from '@/lib/api-client';
import { messageFor } from '@/lib/errors';

/** Asks payments for a fresh Stripe onboarding link and sends the seller there. */
export function GetPaidButton({ label }: { label: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function start() {
    setBusy(true);
    setError(null);
    try {
      const { onboardingUrl } = await call(api.POST('/api/payouts/account'));
      window.location.assign(onboardingUrl);
    } catch (err) {
      setError(messageFor(err));
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={busy}>
        {busy ? 'Opening Stripe…' : label}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
