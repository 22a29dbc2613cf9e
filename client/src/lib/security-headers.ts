/**
 * The headers every answer of the web client carries. Pages get a Content-Security-Policy with a
 * fresh nonce per request from src/proxy.ts; the rest are the same for every answer and are set
 * in next.config.ts, so static assets carry them too.
 */

/**
 * Browser features the pages may use: the camera on our own pages (a door scanner), and the
 * Payment Request API inside Stripe's Payment Element frame (wallets); everything else is off.
 */
export const PERMISSIONS_POLICY = [
  'camera=(self)',
  'payment=(self "https://js.stripe.com")',
  'microphone=()',
  'geolocation=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'bluetooth=()',
  'midi=()',
  'magnetometer=()',
  'gyroscope=()',
  'accelerometer=()',
  'ambient-light-sensor=()',
  'display-capture=()',
  'screen-wake-lock=()',
  'publickey-credentials-get=()',
  'xr-spatial-tracking=()',
  'idle-detection=()',
  'browsing-topics=()',
  'interest-cohort=()',
].join(', ');

/** Headers that do not change per request. */
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: PERMISSIONS_POLICY },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
];

/**
 * The pages' Content-Security-Policy. Scripts run only with this request's nonce, and what a
 * nonced script loads ('strict-dynamic': Next.js's chunks, Stripe.js) — no 'unsafe-inline'.
 * Stripe's origins stay listed for browsers without 'strict-dynamic'. React renders `style`
 * attributes, which a nonce cannot cover, so styles keep 'unsafe-inline'. `next dev` also needs
 * eval and its HMR WebSocket.
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' https://js.stripe.com https://*.js.stripe.com${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https://*.stripe.com",
    "font-src 'self' data:",
    `connect-src 'self' https://api.stripe.com${development ? ' ws: wss:' : ''}`,
    "frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
  ].join('; ');
}

/** A fresh, unguessable nonce (128 random bits, base64). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
