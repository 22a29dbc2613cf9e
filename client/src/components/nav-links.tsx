'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  {
    href: '/',
    label: 'Marketplace',
    match: (p: string) => p === '/' || p.startsWith('/tickets') || p.startsWith('/events'),
  },
  { href: '/sell', label: 'Sell', match: (p: string) => p === '/sell' },
  { href: '/my/listings', label: 'My listings', match: (p: string) => p.startsWith('/my/listings') },
  { href: '/orders', label: 'My orders', match: (p: string) => p.startsWith('/orders') },
];

/** The main navigation, marking the current section for assistive technology too. */
export function NavLinks({ signedIn }: { signedIn: boolean }) {
  const pathname = usePathname();
  const links = signedIn ? LINKS : LINKS.slice(0, 2);
  return (
    <nav className="main-nav" aria-label="Main">
      {links.map((link) => (
        <Link key={link.href} href={link.href} aria-current={link.match(pathname) ? 'page' : undefined}>
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
