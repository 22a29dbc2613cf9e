import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './src/lib/security-headers';

/**
 * The web client runs behind the gateway (locally scripts/gateway.mjs, in the cluster the Istio
 * ingress), which forwards Host and X-Forwarded-*; the browser calls the APIs on the same origin
 * (/api/...), so no rewrites are needed here. Server rendering reaches the APIs through API_URL
 * (src/lib/config.ts), read at request time; PORT is the client's own port (`next start`/`dev`).
 */
const nextConfig: NextConfig = {
  reactStrictMode: true,
  // `next dev` behind the gateway: it already allows localhost; 127.0.0.1:8080 works too, and
  // DEV_ORIGINS (comma-separated hostnames) adds others, e.g. a LAN name or a tunnel.
  allowedDevOrigins: [
    '127.0.0.1',
    ...(process.env.DEV_ORIGINS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  ],
  poweredByHeader: false,
  // Metadata (title, description, canonical, OpenGraph) goes in the <head> of every answer, not
  // streamed into the body after it: link previews, crawlers that read only the HTML and
  // Lighthouse all see it. Pages are rendered per request and read the same data as their
  // metadata (deduplicated with React's cache), so waiting for it costs next to nothing.
  htmlLimitedBots: /.*/,
  // The workspace root holds the lockfile; tracing from there keeps `next build` quiet about it.
  outputFileTracingRoot: new URL('..', import.meta.url).pathname,
  turbopack: { root: new URL('..', import.meta.url).pathname },
  headers() {
    return Promise.resolve([
      {
        source: '/:path*',
        // The same on every answer; each page's Content-Security-Policy (with its nonce) comes
        // from src/proxy.ts.
        headers: [...STATIC_SECURITY_HEADERS],
      },
    ]);
  },
};

export default nextConfig;
