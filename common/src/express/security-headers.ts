import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Browser features an API answer never needs: denied to every document served from here. A page
 * that needs one (a door scanner's camera) grants it on its own answers, not through the APIs.
 */
export const API_PERMISSIONS_POLICY = [
  'accelerometer',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'magnetometer',
  'microphone',
  'payment',
  'serial',
  'usb',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** An API answer loads nothing and may not be framed. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers that hold whatever the answer is, also on answers written straight to the socket (a
 * request that timed out): no sniffing, no framing, no opener or cross-origin embedding, no
 * powerful features, no caching.
 */
export const RAW_ANSWER_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': API_CONTENT_SECURITY_POLICY,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': API_PERMISSIONS_POLICY,
  'cache-control': 'no-store',
};

/**
 * The security headers of a service's answers: helmet's set with `X-Frame-Options: DENY`,
 * same-origin opener and resource policies, a Permissions-Policy denying every powerful feature,
 * and a Content-Security-Policy that lets an API answer load nothing, except under `docsPath`,
 * where Swagger UI gets what it needs. With `secure`, HSTS and `upgrade-insecure-requests` too.
 */
export function securityHeaders({ docsPath, secure }: { docsPath: string; secure: boolean }): RequestHandler {
  const common = {
    strictTransportSecurity: secure,
    xFrameOptions: { action: 'deny' as const },
    crossOriginOpenerPolicy: { policy: 'same-origin' as const },
    crossOriginResourcePolicy: { policy: 'same-origin' as const },
    referrerPolicy: { policy: 'no-referrer' as const },
  };
  const upgrade: Record<string, string[]> = secure ? { upgradeInsecureRequests: [] } : {};
  const api = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], ...upgrade },
    },
  });
  const docs = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
        ...upgrade,
      },
    },
  });
  const underDocs = (path: string) => path === docsPath || path.startsWith(`${docsPath}/`);
  return (req, res, next) => {
    res.setHeader('permissions-policy', API_PERMISSIONS_POLICY);
    (underDocs(req.path) ? docs : api)(req, res, next);
  };
}
