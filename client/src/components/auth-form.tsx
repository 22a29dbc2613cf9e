'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api, call } from '@/lib/api-client';
import { ApiError, fieldErrors, messageFor } from '@/lib/errors';
import { Field, FormMessage, SubmitButton } from './field';

type Mode = 'signin' | 'signup';

const COPY: Record<Mode, { title: string; lead: string; submit: string; busy: string }> = {
  signin: {
    title: 'Welcome back',
    lead: 'Sign in to buy tickets, sell yours and follow your orders.',
    submit: 'Sign in',
    busy: 'Signing in…',
  },
  signup: {
    title: 'Create your account',
    lead: 'One account to buy and to sell. It takes ten seconds.',
    submit: 'Create account',
    busy: 'Creating account…',
  },
};

/** Sign-in and sign-up: the auth service sets the session cookie; then we go where we were headed. */
export function AuthForm({ mode, next }: { mode: Mode; next: string }) {
  const router = useRouter();
  const copy = COPY[mode];
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  function validate(): Record<string, string> {
    const problems: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) problems.email = 'Enter a valid email address';
    if (mode === 'signup' && password.length < 8) problems.password = 'Use at least 8 characters';
    if (mode === 'signin' && password.length === 0) problems.password = 'Enter your password';
    return problems;
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = validate();
    setErrors(problems);
    setFormError(null);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const body = { email: email.trim(), password };
      await call(
        mode === 'signin' ? api.POST('/api/users/signin', { body }) : api.POST('/api/users/signup', { body }),
      );
      router.replace(next);
      router.refresh();
    } catch (err) {
      setBusy(false);
      const fields = fieldErrors(err);
      if (err instanceof ApiError && err.code === 'EMAIL_IN_USE') {
        setErrors({ email: messageFor(err) });
      } else if (Object.keys(fields).length > 0) {
        setErrors(fields);
      } else {
        setFormError(messageFor(err));
      }
    }
  }

  const otherHref = `/${mode === 'signin' ? 'signup' : 'signin'}${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`;

  return (
    <div className="card auth-card">
      <h1>{copy.title}</h1>
      <p className="muted">{copy.lead}</p>
      {next !== '/' && (
        <FormMessage kind="info">
          {mode === 'signin' ? 'Sign in' : 'Create an account'} to continue — we’ll take you straight back.
        </FormMessage>
      )}
      <form className="form mt-4" onSubmit={(e) => void submit(e)} noValidate aria-label={copy.submit}>
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
        <Field
          id="password"
          label="Password"
          hint={mode === 'signup' ? 'At least 8 characters.' : undefined}
          error={errors.password}
        >
          {(control) => (
            <input
              {...control}
              className="input"
              type="password"
              name="password"
              autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={mode === 'signup' ? 8 : undefined}
            />
          )}
        </Field>
        {mode === 'signin' && (
          <p className="muted" style={{ margin: 0, textAlign: 'right' }}>
            <Link href="/forgot-password">Forgot password?</Link>
          </p>
        )}
        <SubmitButton busy={busy} busyLabel={copy.busy}>
          {copy.submit}
        </SubmitButton>
      </form>
      <p className="center muted mt-4" style={{ marginBottom: 0 }}>
        {mode === 'signin' ? 'New to Glotixz? ' : 'Already have an account? '}
        <Link href={otherHref}>{mode === 'signin' ? 'Create an account' : 'Sign in'}</Link>
      </p>
    </div>
  );
}
