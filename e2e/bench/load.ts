import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { distribution, type Distribution } from './stats';

/** One request the load generator sends. */
export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Origin, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Connections, each with one request in flight (closed loop). */
  connections: number;
  warmupMs: number;
  durationMs: number;
  /**
   * Builds the `n`-th request (0-based over the whole run, warm-up included); `undefined` when
   * there is nothing left to send, which ends the measured window early.
   */
  request: (n: number) => LoadRequest | undefined;
  /** Called at the start of the measured window. */
  onMeasureStart?: () => void;
  /** Called with every answer's status (`error` for a transport failure) when it arrives, warm-up included. */
  onAnswer?: (status: string, sentAt: number, doneAt: number) => void;
}

/** What one load run measured in its window (after warm-up). */
export interface LoadResult {
  /** Requests completed in the measured window. */
  completed: number;
  /** Completed requests per second in the window. */
  rps: number;
  /** Length of the measured window: `durationMs`, or less when the requests ran out. */
  windowMs: number;
  latency: Distribution;
  /** Answers by status over the whole run, `error` for transport failures. */
  statuses: Record<string, number>;
  /** Requests sent over the whole run, warm-up included. */
  sent: number;
}

/** Sends one request on `agent` and resolves with the status once the body has been read. */
export function send(
  agent: http.Agent,
  origin: URL,
  req: LoadRequest,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const r = http.request(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A keep-alive agent holding at most `connections` sockets. */
export function keepAliveAgent(connections: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

/**
 * A closed-loop load generator: `connections` keep-alive connections, each sending its next
 * request as soon as the previous answer is read. Requests completing in the measured window
 * (after `warmupMs`, for `durationMs`) count towards throughput and latency.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const origin = new URL(options.url);
  const agent = keepAliveAgent(options.connections);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const measureTo = measureFrom + options.durationMs;
  let measuring = false;
  let next = 0;
  let completed = 0;
  let exhaustedAt = Number.POSITIVE_INFINITY;

  async function worker(): Promise<void> {
    for (;;) {
      const sentAt = performance.now();
      if (sentAt >= measureTo) return;
      if (!measuring && sentAt >= measureFrom) {
        measuring = true;
        options.onMeasureStart?.();
      }
      const request = options.request(next);
      if (!request) {
        exhaustedAt = Math.min(exhaustedAt, sentAt);
        return;
      }
      next += 1;
      let key: string;
      try {
        key = String((await send(agent, origin, request)).status);
      } catch {
        key = 'error';
      }
      statuses[key] = (statuses[key] ?? 0) + 1;
      const doneAt = performance.now();
      options.onAnswer?.(key, sentAt, doneAt);
      if (sentAt >= measureFrom && doneAt <= measureTo) {
        completed += 1;
        latencies.push(doneAt - sentAt);
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: options.connections }, () => worker()));
  } finally {
    agent.destroy();
  }
  const windowMs = Math.max(0, Math.min(measureTo, exhaustedAt) - measureFrom);
  return {
    completed,
    rps: windowMs > 0 ? completed / (windowMs / 1000) : 0,
    windowMs,
    latency: distribution(latencies),
    statuses,
    sent: next,
  };
}
