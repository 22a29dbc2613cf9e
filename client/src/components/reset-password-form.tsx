'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { api, call } from '@/lib/api-client';
import { ApiError, fieldErrors, messageFor } from '@/lib/errors';
import { newPasswordProblems, PASSWORD_MIN } from '@/lib/password-reset';
import { Field, FormMessage, SubmitButton } from './field';

/** What a reset link that cannot work shows: why, and the way to a new one. */
export function InvalidResetLink() {
  return (
    <div className="card auth-card">
      <h1>This link doesn’t work</h1>
      <FormMessage kind="error">
        This reset link is invalid or has expired, or a newer one was sent. Each link works once.
      </FormMessage>
      <p className="center mt-4" style={{ marginBottom: 0 }}>
        <Link href="/forgot-password" className="btn btn-primary">
          Send me a new link
        </Link>
      </p>
    </div>
  );
}

/** Sets a new password with the token of a reset link; auth then signs the account out everywhere. */
export function ResetPasswordForm({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = newPasswordProblems(password, confirmation);
    setErrors(problems);
    setFormError(null);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      await call(api.POST('/api/users/password-reset/confirm', { body: { token, password } }));
      setDone(true);
    } catch (err) {
      setBusy(false);
      const fields = fieldErrors(err);
      if (err instanceof ApiError && err.code === 'INVALID_RESET_TOKEN') setInvalid(true);
      else if (fields.password) setErrors({ password: fields.password });
      else setFormError(messageFor(err));
    }
  }

  if (invalid) return <InvalidResetLink />;

  if (done) {
    return (
      <div className="card auth-card">
        <h1>Password changed</h1>
        <FormMessage kind="success">
          Your new password is set. For your safety we signed you out on every device.
        </FormMessage>
        <p className="center mt-4" style={{ marginBottom: 0 }}>
          <Link href="/signin" className="btn btn-primary">
            Sign in
          </Link>
        </p>
      </div>
    );
  }

  return (
    <div className="card auth-card">
      <h1>Choose a new password</h1>
      <p className="muted">After this, every device signed in to your account is signed out.</p>
      <form className="form mt-4" onSubmit={(e) => void submit(e)} noValidate aria-label="Set new password">
        <div aria-live="assertive">{formError && <FormMessage kind="error">{formError}</FormMessage>}</div>
        <Field
          id="password"
          label="New password"
          hint={`At least ${PASSWORD_MIN} characters.`}
          error={errors.password}
        >
          {(control) => (
            <input
              {...control}
              className="input"
              type="password"
              name="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={PASSWORD_MIN}
            />
          )}
        </Field>
        <Field id="confirm" label="Repeat the new password" error={errors.confirm}>
          {(control) => (
            <input
              {...control}
              className="input"
              type="password"
              name="confirm"
              autoComplete="new-password"
              value={confirmation}
              onChange={(e) => setConfirmation(e.target.value)}
              required
            />
          )}
        </Field>
        <SubmitButton busy={busy} busyLabel="Saving…">
          Set new password
        </SubmitButton>
      </form>
    </div>
  );
}
