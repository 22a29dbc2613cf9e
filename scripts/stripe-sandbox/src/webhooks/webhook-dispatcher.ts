import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { StripeEventObject, StripeEventType } from './stripe-event';
import { signatureHeader } from './signature';

/** One attempt to deliver one event to the webhook endpoint. */
export interface WebhookDelivery {
  eventId: string;
  type: string;
  /** 1 for the first attempt of a delivery (a resend starts again at 1). */
  attempt: number;
  /** The endpoint's HTTP status, or `null` when no response came (refused, reset, timed out). */
  status: number | null;
  error?: string;
  at: Date;
}

/** How often and how patiently to retry a delivery the endpoint did not accept. */
export interface WebhookRetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; it doubles for each later one (capped at an hour). */
  baseDelayMs: number;
}

/** Dependencies of {@link WebhookDispatcher}. */
export interface WebhookDispatcherOptions {
  /** The signing secret of the platform's webhook endpoint. */
  secret: string;
  /**
   * The signing secret of the Connect endpoint, for events of connected accounts (those with
   * `account`). Unset: the one endpoint gets those too, signed with `secret`.
   */
  connectSecret?: string;
  retry: WebhookRetryPolicy;
  /** The endpoint URL at the time of each attempt (it can change while retries are pending). */
  endpoint: () => string | undefined;
  logger: Logger;
  /** How long one attempt waits for the endpoint's answer. */
  timeoutMs?: number;
}

const MAX_DELAY_MS = 3_600_000;

/**
 * Sends events to the webhook endpoint as Stripe does: a JSON body (pretty-printed, like
 * Stripe's), signed in `Stripe-Signature` with a fresh timestamp per attempt; any 2xx accepts it,
 * anything else (a redirect, an error status, no answer) is retried with exponential backoff until the attempts run out.
 * Every attempt is recorded.
 */
export class WebhookDispatcher {
  private readonly attempts: WebhookDelivery[] = [];
  private readonly jobs = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** Starts delivering events created by an API call (no-op without an endpoint). */
  enqueue(events: readonly StripeEventObject[]): void {
    if (this.stopping.signal.aborted || !this.options.endpoint()) return;
    for (const event of events) this.track(this.deliver(event));
  }

  /** Delivers an existing event again (same id and body); resolves when delivered or given up. */
  resend(event: StripeEventObject): Promise<void> {
    if (!this.options.endpoint()) {
      return Promise.reject(new Error('no webhook endpoint is configured'));
    }
    const job = this.deliver(event);
    this.track(job);
    return job;
  }

  /** Resolves once no delivery is in flight or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs]);
  }

  /** Every attempt so far, oldest first. */
  deliveries(): WebhookDelivery[] {
    return this.attempts.map((attempt) => ({ ...attempt }));
  }

  /** Abandons pending retries and in-flight requests, then waits for the jobs to wind down. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private track(job: Promise<void>): void {
    this.jobs.add(job);
    void job.finally(() => this.jobs.delete(job));
  }

  private async deliver(event: StripeEventObject): Promise<void> {
    const payload = JSON.stringify(event, null, 2);
    const secret =
      event.account !== undefined && this.options.connectSecret !== undefined
        ? this.options.connectSecret
        : this.options.secret;
    const { attempts, baseDelayMs } = this.options.retry;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.stopping.signal.aborted) return;
      const url = this.options.endpoint();
      if (!url) {
        this.record(event.id, event.type, attempt, null, 'no webhook endpoint is configured');
        return;
      }
      const result = await this.post(url, payload, secret);
      this.record(event.id, event.type, attempt, result.status, result.error);
      if (result.status !== null && result.status >= 200 && result.status < 300) {
        event.pending_webhooks = 0;
        return;
      }
      if (attempt === attempts) break;
      const delay = Math.min(baseDelayMs * 2 ** (attempt - 1), MAX_DELAY_MS);
      try {
        await sleep(delay, undefined, { signal: this.stopping.signal });
      } catch {
        return;
      }
    }
    this.options.logger.warn({ eventId: event.id, type: event.type, attempts }, 'webhook delivery given up');
  }

  private async post(
    url: string,
    payload: string,
    secret: string,
  ): Promise<{ status: number | null; error?: string }> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signatureHeader(payload, secret),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          accept: '*/*; q=0.5, application/xml',
          'cache-control': 'no-cache',
        },
        body: payload,
        // Stripe does not follow redirects: a 3xx counts as a failed attempt.
        redirect: 'manual',
        signal: AbortSignal.any([timeout, this.stopping.signal]),
      });
      // Drain the body so the connection can be reused; its content does not matter.
      await response.arrayBuffer().catch(() => undefined);
      return response.ok
        ? { status: response.status }
        : { status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return { status: null, error: error instanceof Error ? `${error.message}${cause}` : String(error) };
    }
  }

  private record(
    eventId: string,
    type: StripeEventType,
    attempt: number,
    status: number | null,
    error?: string,
  ): void {
    this.attempts.push({ eventId, type, attempt, status, ...(error ? { error } : {}), at: new Date() });
    this.options.logger.debug({ eventId, type, attempt, status, error }, 'webhook attempt');
  }
}
