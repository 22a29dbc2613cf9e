import type { Request } from 'express';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the method may change state (POST, PUT, PATCH, DELETE, …). */
export function isUnsafeMethod(method: string): boolean {
  return !safeMethods.has(method.toUpperCase());
}

/**
 * The origin the request was addressed to, as the browser saw it: the protocol and host, taken
 * from `X-Forwarded-Proto` / `X-Forwarded-Host` when Express `trust proxy` trusts the sender.
 */
export function ownOrigin(req: Request): string | undefined {
  const host = req.host;
  if (!host) return undefined;
  try {
    return new URL(`${req.protocol}://${host}`).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a browser sent this request from a page of another origin. `Sec-Fetch-Site` decides
 * when present: `same-origin` and `none` (typed in, bookmarks) pass; `same-site` and `cross-site`
 * do not, since a sibling subdomain is another origin. Without it, `Origin` is compared with the
 * request's own origin (`null`, as sandboxed frames and some redirects send it, never matches).
 * A request with neither header did not come from a page (curl, a server), so it is not
 * cross-origin.
 */
export function isCrossOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site')?.trim().toLowerCase();
  if (site !== undefined && site !== '') return site !== 'same-origin' && site !== 'none';
  const origin = req.get('origin')?.trim().toLowerCase();
  if (origin === undefined || origin === '') return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).origin !== ownOrigin(req);
  } catch {
    return true;
  }
}
