import type { NextConfig } from 'next';

const development = process.env.NODE_ENV === 'development';

/**
 * The pages' Content-Security-Policy. Next.js streams its page data in inline scripts and React
 * renders inline styles, so both allow 'unsafe-inline'; Stripe.js and its Payment Element frames
 * are the only other origins. `next dev` also needs eval and its HMR WebSocket.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "base-uri 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  `script-src 'self' 'unsafe-inline' https://js.stripe.com https://*.js.stripe.com${development ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https://*.stripe.com",
  "font-src 'self' data:",
  `connect-src 'self' https://api.stripe.com${development ? ' ws: wss:' : ''}`,
  "frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
].join('; ');

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
  // The workspace root holds the lockfile; tracing from there keeps `next build` quiet about it.
  outputFileTracingRoot: new URL('..', import.meta.url).pathname,
  turbopack: { root: new URL('..', import.meta.url).pathname },
  headers() {
    return Promise.resolve([
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Content-Security-Policy', value: contentSecurityPolicy },
        ],
      },
    ]);
  },
};

export default nextConfig;
