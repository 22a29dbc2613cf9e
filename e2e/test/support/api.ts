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

/** When test events start by default: thirty days ahead, on the hour, so one name in one run names one event. */
function testEventStart(): string {
  const start = new Date(Date.now() + 30 * 24 * 3600_000);
  start.setUTCMinutes(0, 0, 0);
  return start.toISOString();
}

/** An event as POST /api/events takes it; unset fields get a plausible upcoming event. */
export interface EventInput {
  name: string;
  venue?: string;
  city?: string;
  country?: string;
  startsAt?: string;
  timezone?: string;
  category?: 'concert' | 'sports' | 'theatre' | 'comedy' | 'festival' | 'other';
}

/**
 * Creates (or finds) an event through `baseUrl` (the gateway, or the tickets service) as the user
 * of `token`; answers its id. Every listing belongs to an event, so a test lists a ticket after this.
 */
export async function createEventViaApi(baseUrl: string, token: string, event: EventInput): Promise<string> {
  const created = await api(baseUrl, 'POST', '/api/events', {
    token,
    body: {
      ...{ venue: 'Riverside Arena', city: 'London', country: 'GB', startsAt: testEventStart() },
      ...{ timezone: 'Europe/London', category: 'concert', ...event },
    },
  });
  if (created.status !== 201 && created.status !== 200) {
    throw new Error(`event creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return created.body.id as string;
}

/** The listing part of {@link listTicket}: what `POST /api/tickets` takes besides the event. */
export interface TestListing {
  /** The event's name: the listing's title when it names no seat. */
  title: string;
  price: number;
  currency?: string;
  section?: string;
  row?: string;
  seat?: string;
}

/**
 * Lists a ticket through the tickets API (a service's or the gateway's `baseUrl`) as the seller
 * with `token`: the event named `title` (created, or found when it exists) and a listing of it.
 * Answers the listing's creation.
 */
export async function listTicket(
  baseUrl: string,
  token: string,
  { title, ...listing }: TestListing,
): Promise<JsonResponse> {
  const eventId = await createEventViaApi(baseUrl, token, { name: title });
  return api(baseUrl, 'POST', '/api/tickets', { token, body: { eventId, ...listing } });
}
