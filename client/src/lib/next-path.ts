/**
 * Where to go after signing in. Only a path on this site is accepted, so a crafted link cannot
 * send someone elsewhere (`//evil.example`, `/\evil.example`, `https://…`, `javascript:` …).
 */
export function safeNextPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // Control characters and backslashes are how browsers get talked into other origins.
  if (hasControlOrBackslash(value)) return fallback;
  try {
    const url = new URL(value, 'http://glotixz.invalid');
    if (url.origin !== 'http://glotixz.invalid') return fallback;
    const path = url.pathname + url.search + url.hash;
    // Never come back to the sign-in pages themselves.
    if (/^\/(signin|signup)(\/|$|\?)/.test(path)) return fallback;
    return path;
  } catch {
    return fallback;
  }
}

/** `/signin?next=<path>` for a page that needs a signed-in user. */
export function signInPath(next: string): string {
  const safe = safeNextPath(next);
  return safe === '/' ? '/signin' : `/signin?next=${encodeURIComponent(safe)}`;
}

function hasControlOrBackslash(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}
