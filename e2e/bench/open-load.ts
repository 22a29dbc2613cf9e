import { performance } from 'node:perf_hooks';
import { sleep } from '@glotixz/common/testing';
import { keepAliveAgent, send, type LoadRequest } from './load';
import { distribution, type Distribution } from './stats';

/** Options of {@link runOpenLoad}. */
export interface OpenLoadOptions {
  /** Origin, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Requests offered per second, on a timer, whether or not earlier ones were answered. */
  rate: number;
  durationMs: number;
  /** Keep-alive connections at most; requests beyond them wait for one in the client. */
  connections: number;
  /** The `n`-th request (0-based); `undefined` ends the run early (nothing left to send). */
  request: (n: number) => LoadRequest | undefined;
  /** Called with each answer (not for transport errors). */
  onAnswer?: (status: number, body: string) => void;
  /** Called for each transport error (no answer). */
  onError?: () => void;
  /** Called once the last request has been offered (answers may still be on their way). */
  onOfferingEnd?: () => void;
}

/** What one open-loop run measured. */
export interface OpenLoadResult {
  rate: number;
  /** From the first request to the last one offered. */
  offeringMs: number;
  sent: number;
  /** Answers by status, `error` for transport failures. */
  statuses: Record<string, number>;
  /** Requests still unanswered when the last one was offered. */
  inFlightAtEnd: number;
  /** Sent → answer read, per request. */
  latency: Distribution;
  /** Requests per second answered while offering. */
  answeredRps: number;
}

/** How often the timer issues the requests that have fallen due. */
const tickMs = 5;

/**
 * An open-loop load generator: `rate` requests a second, issued on a timer at their due times
 * (several per tick at high rates) for `durationMs`, independent of the answers, as independent
 * buyers would send them. Answers when every request has been answered.
 */
export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const origin = new URL(options.url);
  const agent = keepAliveAgent(options.connections);
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let answeredWhileOffering = 0;
  let offering = true;
  let sent = 0;

  const issue = (request: LoadRequest) => {
    const sentAt = performance.now();
    const done = send(agent, origin, request).then(
      ({ status, body }) => {
        latencies.push(performance.now() - sentAt);
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        if (offering) answeredWhileOffering += 1;
        options.onAnswer?.(status, body);
      },
      () => {
        statuses.error = (statuses.error ?? 0) + 1;
        options.onError?.();
      },
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const start = performance.now();
  try {
    for (;;) {
      const elapsed = performance.now() - start;
      const due = Math.min(
        Math.floor((Math.min(elapsed, options.durationMs) * options.rate) / 1000) + 1,
        Math.ceil((options.durationMs * options.rate) / 1000),
      );
      let exhausted = false;
      while (sent < due) {
        const request = options.request(sent);
        if (!request) {
          exhausted = true;
          break;
        }
        sent += 1;
        issue(request);
      }
      if (exhausted || elapsed >= options.durationMs) break;
      await sleep(tickMs);
    }
    const offeringMs = performance.now() - start;
    offering = false;
    options.onOfferingEnd?.();
    const inFlightAtEnd = inFlight.size;
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    return {
      rate: options.rate,
      offeringMs,
      sent,
      statuses,
      inFlightAtEnd,
      latency: distribution(latencies),
      answeredRps: offeringMs > 0 ? answeredWhileOffering / (offeringMs / 1000) : 0,
    };
  } finally {
    agent.destroy();
  }
}
