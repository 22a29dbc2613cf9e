/** A JSON answer from a service. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

/** Calls a service's JSON API, optionally as a signed-in user (Bearer token). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
export async function api<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Signs a new user up through the auth service and answers their id and token. */
export async function signUp(
  authUrl: string,
  label: string,
): Promise<{ id: string; email: string; token: string }> {
  const email = `${label}-${Date.now()}-${Math.random().toString(16).slice(2)}@example.com`;
  const res = await api(authUrl, 'POST', '/api/users/signup', {
    body: { email, password: 'correct horse battery' },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; email: string; token: string };
}

/** When the listings of {@link listTicket} start: a fixed hour a month ahead, so one title is one event. */
const testEventStart = new Date(Math.ceil((Date.now() + 30 * 86_400_000) / 3_600_000) * 3_600_000);

/**
 * Lists a ticket as `token`'s seller through the tickets API at `baseUrl` (a service or the
 * gateway): first the event named `title` (created, or the existing one answered), then a listing
 * of it with no seat, whose derived title is `title`. Answers the listing's creation.
 */
export async function listTicket(
  baseUrl: string,
  token: string,
  listing: { title: string; price: number; currency?: string },
): Promise<JsonResponse> {
  const event = await api(baseUrl, 'POST', '/api/events', {
    token,
    body: {
      name: listing.title,
      venue: 'Test Hall',
      city: 'London',
      country: 'GB',
      startsAt: testEventStart.toISOString(),
      timezone: 'Europe/London',
      category: 'concert',
    },
  });
  if (event.status !== 201 && event.status !== 200) {
    throw new Error(`event creation failed: ${event.status} ${JSON.stringify(event.body)}`);
  }
  const { title: _title, ...terms } = listing;
  return api(baseUrl, 'POST', '/api/tickets', { token, body: { eventId: event.body.id, ...terms } });
}
