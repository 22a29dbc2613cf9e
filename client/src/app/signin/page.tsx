import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { currentUser } from '@/lib/api-server';
import { safeNextPath } from '@/lib/next-path';

export const metadata: Metadata = { title: 'Sign in' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Sign in; afterwards the visitor goes back to `next` (a path on this site only). */
export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const { next: raw } = await searchParams;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (await currentUser()) redirect(next);
  return (
    <div className="container">
      <AuthForm mode="signin" next={next} />
    </div>
  );
}
