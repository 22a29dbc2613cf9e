import Link from 'next/link';
import { currentUser } from '@/lib/api-server';
import { NavLinks } from './nav-links';
import { SignOutButton } from './sign-out-button';

/** The header on every page: brand, navigation and the account area. */
export async function SiteHeader() {
  const user = await currentUser();
  return (
    <header className="site-header">
      <div className="container">
        <Link href="/" className="brand" aria-label="Glotixz home">
          <span className="brand-mark" aria-hidden="true">
            G
          </span>
          Glotixz
        </Link>
        <NavLinks signedIn={user !== null} />
        <div className="account">
          {user ? (
            <>
              <span className="account-email" title={user.email}>
                {user.email}
              </span>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/signin" className="btn btn-ghost btn-sm">
                Sign in
              </Link>
              <Link href="/signup" className="btn btn-primary btn-sm">
                Sign up
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
