/**
 * The client's server-side configuration, read from the environment at request time (never
 * inlined at build time, so one image runs in every environment).
 *
 * API_URL   where server rendering reaches the APIs: the gateway (default http://localhost:8080;
 *           in the cluster the ingress gateway's in-cluster URL).
 * PORT      the client's own HTTP port (default 3000), read by `next start` / `next dev`.
 * EXPIRATION_WINDOW_SECONDS
 *           how long an order holds a ticket (default 900): the orders service's setting of the
 *           same name, which decides. The client only says it before the buyer commits; `npm
 *           start` hands every process the same environment, so they agree.
 */
const DEFAULT_API_URL = 'http://localhost:8080';

const DEFAULT_HOLD_SECONDS = 900;

/** The client's server-side settings. */
export interface ServerConfig {
  apiUrl: string;
  /** How long an order holds a ticket, in seconds, as orders is configured. */
  holdSeconds: number;
}

let cached: ServerConfig | undefined;

/** Parses API_URL and EXPIRATION_WINDOW_SECONDS once; a bad value stops rendering with a clear message instead of odd fetch errors. */
export function serverConfig(): ServerConfig {
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
  const windowText = process.env.EXPIRATION_WINDOW_SECONDS?.trim();
  const holdSeconds = windowText ? Number(windowText) : DEFAULT_HOLD_SECONDS;
  if (!Number.isInteger(holdSeconds) || holdSeconds <= 0) {
    throw new Error(`EXPIRATION_WINDOW_SECONDS must be a positive integer, got "${windowText}"`);
  }
  cached = { apiUrl: url.href.replace(/\/+$/, ''), holdSeconds };
  return cached;
}
