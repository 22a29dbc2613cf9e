import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, newNonce } from '@/lib/security-headers';

/**
 * Gives every page request its own CSP nonce. Next.js reads the nonce from the request's
 * Content-Security-Policy header and puts it on the scripts it renders; the browser gets the same
 * policy on the answer. Pages are rendered per request anyway (they read the session cookie), so
 * the nonce costs no caching.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the built assets, the icon or the probe.
      source: '/((?!_next/static|_next/image|icon.svg|favicon.ico|healthz).*)',
      // Prefetches carry no HTML to run scripts in.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
