import type { Metadata } from 'next';
import { InvalidResetLink, ResetPasswordForm } from '@/components/reset-password-form';
import { resetTokenFrom } from '@/lib/password-reset';

// The token rides in the address: no page this one links to is told it.
export const metadata: Metadata = { title: 'Reset password', referrer: 'no-referrer' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The page of a reset link (`/reset-password?token=`): choose a new password. */
export default async function ResetPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  const token = resetTokenFrom((await searchParams).token);
  return (
    <div className="container">{token ? <ResetPasswordForm token={token} /> : <InvalidResetLink />}</div>
  );
}
