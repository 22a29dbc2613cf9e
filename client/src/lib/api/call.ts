import type { Client } from 'openapi-fetch';
import { ApiError, NETWORK_ERROR } from '../errors';
import type { paths as AuthPaths } from './auth';
import type { paths as OrdersPaths } from './orders';
import type { paths as PaymentsPaths } from './payments';
import type { paths as TicketsPaths } from './tickets';

/** Every API the client calls, as the gateway serves them on one origin; types generated from each service's document. */
export type ApiPaths = AuthPaths & TicketsPaths & OrdersPaths & PaymentsPaths;

/** A typed openapi-fetch client of {@link ApiPaths}. */
export type ApiClient = Client<ApiPaths>;

/** What an openapi-fetch call resolves to: the parsed body of a 2xx answer, or the error body of another. */
export interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer of `A`. */
export type DataOf<A extends Answer> = Extract<A, { error?: never }>['data'];

/** How {@link dataOf} reads a failure. */
export interface DataOfOptions {
  /** The message of the {@link NETWORK_ERROR} thrown when no answer came. */
  unreachable: string;
  /** Keep a Retry-After header on the {@link ApiError}. */
  retryAfter: boolean;
}

/**
 * The data of a typed API call; throws {@link ApiError} for a non-2xx answer or when the network
 * fails (an abort is rethrown as it is).
 */
export async function dataOf<A extends Answer>(call: Promise<A>, options: DataOfOptions): Promise<DataOf<A>> {
  let answer: A;
  try {
    answer = await call;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    // A 2xx answer whose body is not JSON: the service is at fault, not the network.
    if (err instanceof SyntaxError) throw new ApiError(0, 'UNEXPECTED', 'Unexpected answer');
    throw new ApiError(0, NETWORK_ERROR, options.unreachable);
  }
  const { response } = answer;
  if (!response.ok) {
    const retryAfter = options.retryAfter ? Number(response.headers.get('retry-after')) : NaN;
    throw ApiError.fromBody(
      response.status,
      answer.error,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  return answer.data;
}
