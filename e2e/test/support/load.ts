import http from 'node:http';

/** One request of a burst. */
export interface BurstRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

/** What one request of a burst got: a status and the parsed JSON body, or a transport error. */
export interface BurstOutcome {
  request: BurstRequest;
  status?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
  body?: any;
  /** The transport error (ECONNRESET, socket hang up, …) instead of a response. */
  error?: string;
}

/** Every outcome of a burst and counts by status, error code and transport error. */
export interface BurstResult {
  outcomes: BurstOutcome[];
  /** `{ '201': 1, '409': 999 }` */
  statuses: Record<string, number>;
  /** `{ '409 TICKET_RESERVED': 999 }`: status and error code of every non-2xx answer. */
  codes: Record<string, number>;
  /** Transport errors by message. */
  errors: Record<string, number>;
  durationMs: number;
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

function send(agent: http.Agent, base: URL, request: BurstRequest): Promise<BurstOutcome> {
  const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const headers: Record<string, string | number> = { ...request.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = payload.length;
  }
  return new Promise((resolve) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method: request.method, path: request.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => resolve({ request, error: err.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ request, status: res.statusCode, body });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ request, error: err.code ?? err.message }));
    req.end(payload);
  });
}

/**
 * Sends every request at once over one keep-alive agent allowing `maxSockets` connections (the
 * rest queue in the agent, as a browser's or a load balancer's would), and answers every outcome
 * with counts. Transport errors are outcomes, not failures: the caller asserts there are none.
 */
export async function burst(
  baseUrl: string,
  requests: BurstRequest[],
  options: { maxSockets: number },
): Promise<BurstResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const base = new URL(baseUrl);
  const started = Date.now();
  try {
    const outcomes = await Promise.all(requests.map((request) => send(agent, base, request)));
    const result: BurstResult = {
      outcomes,
      statuses: {},
      codes: {},
      errors: {},
      durationMs: Date.now() - started,
    };
    for (const outcome of outcomes) {
      if (outcome.error !== undefined) {
        count(result.errors, outcome.error);
        continue;
      }
      const status = String(outcome.status);
      count(result.statuses, status);
      if ((outcome.status ?? 0) >= 300) {
        const code = (outcome.body as { code?: unknown } | undefined)?.code;
        count(result.codes, `${status} ${typeof code === 'string' ? code : '-'}`);
      }
    }
    return result;
  } finally {
    agent.destroy();
  }
}
