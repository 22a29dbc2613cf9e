/** A raw HTTP answer: status, headers (Set-Cookie kept as a list), the text and its JSON if any. */
export interface RawResponse {
  status: number;
  headers: Headers;
  setCookies: string[];
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
  json: any;
}

/** Options of {@link send}: any headers, and a body sent exactly as given. */
export interface SendOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * Sends one request exactly as described, with no JSON encoding or default content type, for
 * tests that send what a well-behaved client would not.
 */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<RawResponse> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: options.headers,
    body: options.body,
    redirect: 'manual',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, setCookies: res.headers.getSetCookie(), text, json };
}
