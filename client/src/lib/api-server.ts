import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { serverConfig } from './config';
import { ApiError, NETWORK_ERROR } from './errors';
import { signInPath } from './next-path';
import type { Page, Ticket, User } from './types';

/**
 * Calls a Glotixz API while rendering on the server, through API_URL (the gateway), as the user
 * whose request is being rendered: their cookie is forwarded. Throws {@link ApiError}.
 */
export async function serverFetch<T>(path: string): Promise<T> {
  const incoming = await headers();
  const forwarded: Record<string, string> = { accept: 'application/json' };
  const cookie = incoming.get('cookie');
  if (cookie) forwarded.cookie = cookie;
  const requestId = incoming.get('x-request-id');
  if (requestId) forwarded['x-request-id'] = requestId;

  let res: Response;
  try {
    res = await fetch(`${serverConfig().apiUrl}${path}`, {
      headers: forwarded,
      cache: 'no-store',
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR, `could not reach ${serverConfig().apiUrl}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw ApiError.fromBody(res.status, body);
  return body as T;
}

/** Like {@link serverFetch}, but a 404 (or a malformed id's 400) answers null. */
export async function serverFetchOrNull<T>(path: string): Promise<T | null> {
  try {
    return await serverFetch<T>(path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return null;
    throw err;
  }
}

/** The signed-in user of this request, or null; asked once per render. */
export const currentUser = cache(async (): Promise<User | null> => {
  try {
    const answer = await serverFetch<{ currentUser: User | null }>('/api/users/currentuser');
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

/** A page of available tickets. */
export function listTickets(query: { q?: string; cursor?: string; limit?: number }): Promise<Page<Ticket>> {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.cursor) params.set('cursor', query.cursor);
  params.set('limit', String(query.limit ?? 12));
  return serverFetch<Page<Ticket>>(`/api/tickets?${params.toString()}`);
}
