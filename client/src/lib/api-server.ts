import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import createClient from 'openapi-fetch';
import { cache } from 'react';
import { dataOf, type Answer, type ApiClient, type DataOf } from './api/call';
import { serverConfig } from './config';
import { ApiError } from './errors';
import { signInPath } from './next-path';
import type { User } from './types';

const TIMEOUT_MS = 10_000;

/**
 * The typed client of the Glotixz APIs while rendering on the server, through API_URL (the
 * gateway), as the user whose request is being rendered: their cookie and request id are
 * forwarded. One per request.
 */
export const serverApi = cache(async (): Promise<ApiClient> => {
  const incoming = await headers();
  const forwarded: Record<string, string> = { accept: 'application/json' };
  const cookie = incoming.get('cookie');
  if (cookie) forwarded.cookie = cookie;
  const requestId = incoming.get('x-request-id');
  if (requestId) forwarded['x-request-id'] = requestId;
  return createClient({
    baseUrl: serverConfig().apiUrl,
    headers: forwarded,
    fetch: (request) => fetch(request, { cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) }),
  });
});

/** The data of a call made with {@link serverApi}; throws {@link ApiError}. */
export function serverCall<A extends Answer>(pending: Promise<A>): Promise<DataOf<A>> {
  return dataOf(pending, { unreachable: `could not reach ${serverConfig().apiUrl}`, retryAfter: false });
}

/** Like {@link serverCall}, but a 404 (or a malformed id's 400) answers null. */
export async function serverCallOrNull<A extends Answer>(pending: Promise<A>): Promise<DataOf<A> | null> {
  try {
    return await serverCall(pending);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return null;
    throw err;
  }
}

/** The signed-in user of this request, or null; asked once per render. */
export const currentUser = cache(async (): Promise<User | null> => {
  try {
    const api = await serverApi();
    const answer = await serverCall(api.GET('/api/users/currentuser'));
    return answer.currentUser;
  } catch {
    // Auth unreachable: render as signed out rather than failing every page.
    return null;
  }
});

/**
 * The signed-in user; a signed-out visitor is sent to sign in and brought back to `path`
 * afterwards.
 */
export async function requireUser(path: string): Promise<User> {
  const user = await currentUser();
  if (!user) redirect(signInPath(path));
  return user;
}
