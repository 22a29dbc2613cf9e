'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, call } from '@/lib/api-client';
import { messageFor } from '@/lib/errors';

/** Ends the session (the auth service clears its cookie) and returns to the marketplace. */
export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function signOut() {
    setBusy(true);
    setError(null);
    try {
      await call(api.POST('/api/users/signout'));
      router.push('/');
      router.refresh();
    } catch (err) {
      setError(messageFor(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="btn btn-secondary btn-sm"
        onClick={() => void signOut()}
        disabled={busy}
      >
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
      {error && (
        <span role="alert" className="field-error small">
          {error}
        </span>
      )}
    </>
  );
}
