/** A fixed origin to resolve against; nothing is ever fetched from it. */
const BASE = 'http://glotixz.invalid';
const BASE_ORIGIN = new URL(BASE).origin;

/**
 * Where to go after signing in. Only a path on this site comes out, so a crafted link cannot send
 * someone elsewhere (`//evil.example`, `/.//evil.example`, `/%2e//evil.example`, `/\evil.example`,
 * `https://…`, `javascript:` …).
 *
 * The value is normalised the way a browser would (WHATWG URL: dot segments, backslashes, tabs and
 * newlines), and then the normalised path itself is resolved again and checked: what is returned
 * is exactly what was checked, so a path that only points elsewhere once normalised
 * (`/.//evil.example` → `//evil.example`) falls back.
 */
export function safeNextPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/')) return fallback;
  const path = normalisedPath(value);
  if (path === null || !isSameOriginPath(path)) return fallback;
  // Never come back to the sign-in pages themselves.
  if (/^\/(signin|signup)(\/|$|\?|#)/.test(path)) return fallback;
  return path;
}

/** `/signin?next=<path>` for a page that needs a signed-in user. */
export function signInPath(next: string): string {
  const safe = safeNextPath(next);
  return safe === '/' ? '/signin' : `/signin?next=${encodeURIComponent(safe)}`;
}

/** The path, query and fragment `value` stands for on this site, or null if it leaves it. */
function normalisedPath(value: string): string | null {
  try {
    const url = new URL(value, BASE);
    if (url.origin !== BASE_ORIGIN) return null;
    return url.pathname + url.search + url.hash;
  } catch {
    return null;
  }
}

/**
 * Whether `path`, used as it is (a Location header, `router.replace`), stays on this site: it
 * starts with one slash, holds nothing a browser strips or rewrites, and resolves to itself.
 */
function isSameOriginPath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return false;
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    // Control characters and backslashes are how browsers get talked into other origins.
    if (code < 0x20 || code === 0x7f || code === 0x5c) return false;
  }
  try {
    const url = new URL(path, BASE);
    return url.origin === BASE_ORIGIN && url.pathname + url.search + url.hash === path;
  } catch {
    return false;
  }
}
