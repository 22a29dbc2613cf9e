import { headers } from 'next/headers';

/**
 * The origin visitors reach the site at (`https://glotixz.example`), from the request: the
 * gateway (or the Istio ingress) forwards Host and X-Forwarded-Proto. Canonical links, OpenGraph
 * URLs, the sitemap and robots.txt are written with it, so they are right in every environment.
 */
export async function siteOrigin(): Promise<string> {
  const incoming = await headers();
  const host = (incoming.get('x-forwarded-host') ?? incoming.get('host') ?? 'localhost:8080')
    .split(',')[0]!
    .trim();
  const proto = (incoming.get('x-forwarded-proto') ?? 'http').split(',')[0]!.trim();
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}

/** The CSP nonce of this request (src/proxy.ts), for the inline scripts a page renders. */
export async function requestNonce(): Promise<string | undefined> {
  return (await headers()).get('x-nonce') ?? undefined;
}
