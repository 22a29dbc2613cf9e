/**
 * The client's server-side configuration, read from the environment at request time (never
 * inlined at build time, so one image runs in every environment).
 *
 * API_URL   where server rendering reaches the APIs: the gateway (default http://localhost:8080;
 *           in the cluster the ingress gateway's in-cluster URL).
 * PORT      the client's own HTTP port (default 3000), read by `next start` / `next dev`.
 */
const DEFAULT_API_URL = 'http://localhost:8080';

let cached: { apiUrl: string } | undefined;

/** Parses API_URL once; a bad value stops rendering with a clear message instead of odd fetch errors. */
export function serverConfig(): { apiUrl: string } {
  if (cached) return cached;
  const raw = process.env.API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`API_URL must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`API_URL must be an http(s) URL, got "${raw}"`);
  }
  cached = { apiUrl: url.href.replace(/\/+$/, '') };
  return cached;
}
