'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { api, call } from '@/lib/api-client';
import { fieldErrors, messageFor } from '@/lib/errors';
import { looksLikeEmail } from '@/lib/password-reset';
import { Field, FormMessage, SubmitButton } from './field';

/**
 * Asks auth to mail a reset link. The answer is the same whether or not the address has an
 * account, and so is what we show.
 */
export function ForgotPasswordForm() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems: Record<string, string> = looksLikeEmail(email)
      ? {}
      : { email: 'Enter a valid email address' };
    setErrors(problems);
    setFormError(null);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      await call(api.POST('/api/users/password-reset', { body: { email: email.trim() } }));
      setSentTo(email.trim());
    } catch (err) {
      const fields = fieldErrors(err);
      if (Object.keys(fields).length > 0) setErrors(fields);
      else setFormError(messageFor(err));
    } finally {
      setBusy(false);
    }
  }

  if (sentTo !== null) {
    return (
      <div className="card auth-card">
        <h1>Check your email</h1>
        <FormMessage kind="success">
          If an account exists for {sentTo}, we’ve sent a link to reset its password. The link works once and
          expires soon.
        </FormMessage>
        <p className="muted mt-4">
          Nothing arrived after a few minutes? Check your spam folder, or ask again.
        </p>
        <p className="center">
          <button type="button" className="btn btn-secondary" onClick={() => setSentTo(null)}>
            Ask for another link
          </button>
        </p>
        <p className="center muted mt-4" style={{ marginBottom: 0 }}>
          <Link href="/signin">Back to sign in</Link>
        </p>
      </div>
    );
  }

  return (
    <div className="card auth-card">
      <h1>Forgot your password?</h1>
      <p className="muted">Enter the email of your account and we’ll send you a link to choose a new one.</p>
      <form className="form mt-4" onSubmit={(e) => void submit(e)} noValidate aria-label="Send reset link">
        <div aria-live="assertive">{formError && <FormMessage kind="error">{formError}</FormMessage>}</div>
        <Field id="email" label="Email" error={errors.email}>
          {(control) => (
            <input
              {...control}
              className="input"
              type="email"
              name="email"
              autoComplete="email"
              inputMode="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          )}
        </Field>
        <SubmitButton busy={busy} busyLabel="Sending…">
          Send reset link
        </SubmitButton>
      </form>
      <p className="center muted mt-4" style={{ marginBottom: 0 }}>
        Remembered it? <Link href="/signin">Sign in</Link>
      </p>
    </div>
  );
}
