import createClient from 'openapi-fetch';
import { dataOf, type Answer, type ApiClient, type DataOf } from './api/call';

/**
 * The typed client of the Glotixz APIs for the browser, on the same origin (`/api/...` through the
 * gateway); the session cookie rides along, and the browser's Origin header is what the services'
 * cross-origin check reads.
 */
export const api: ApiClient = createClient({
  headers: { accept: 'application/json' },
  credentials: 'same-origin',
  cache: 'no-store',
});

/**
 * The data of a call made with {@link api}, e.g. `await call(api.GET('/api/orders/{id}', ...))`.
 * Throws ApiError for a non-2xx answer (with the Retry-After the service sent) or when
 * the network fails.
 */
export function call<A extends Answer>(pending: Promise<A>): Promise<DataOf<A>> {
  return dataOf(pending, { unreachable: 'Network error', retryAfter: true });
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
