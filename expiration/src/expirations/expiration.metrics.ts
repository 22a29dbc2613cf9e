import { Counter, Gauge, type Registry } from 'prom-client';
import type { ExpirationQueue } from './expiration.queue';

/** The expiry job states reported by the `expiration_jobs` gauge. */
const reportedStates = ['delayed', 'waiting', 'active', 'completed', 'failed'] as const;

/** The service's own Prometheus metrics, next to the HTTP ones of the service app. */
export interface ExpirationMetrics {
  /** `order.created` events handled: the job is in Redis (new, or already there). */
  ordersReceived: Counter;
  /** Jobs that fired: `expiration.completed` acknowledged by JetStream. */
  jobsFired: Counter;
  /** Failed attempts to publish, by whether the job will be retried or was given up. */
  jobFailures: Counter<'outcome'>;
  /** Adds these metrics, and a gauge of the queue's jobs by state read on each scrape, to `registry`. */
  register(registry: Registry, queue: ExpirationQueue, isRedisReady: () => boolean): void;
}

/** Creates the counters; they count from start-up, and are registered with the app's registry later. */
export function createExpirationMetrics(): ExpirationMetrics {
  const ordersReceived = new Counter({
    name: 'expiration_orders_received_total',
    help: 'order.created events handled (the expiry job is stored in Redis)',
    registers: [],
  });
  const jobsFired = new Counter({
    name: 'expiration_jobs_fired_total',
    help: 'Expiry jobs that published expiration.completed',
    registers: [],
  });
  const jobFailures = new Counter({
    name: 'expiration_job_failures_total',
    help: 'Failed attempts to publish expiration.completed, by outcome (retrying or given_up)',
    labelNames: ['outcome'] as const,
    registers: [],
  });
  return {
    ordersReceived,
    jobsFired,
    jobFailures,
    register(registry, queue, isRedisReady) {
      registry.registerMetric(ordersReceived);
      registry.registerMetric(jobsFired);
      registry.registerMetric(jobFailures);
      registry.registerMetric(
        new Gauge({
          name: 'expiration_jobs',
          help: 'Expiry jobs in the queue by state (delayed = scheduled, not yet due)',
          labelNames: ['state'] as const,
          registers: [],
          async collect() {
            // Commands wait for Redis to come back (maxRetriesPerRequest: null); a scrape must not.
            if (!isRedisReady()) return;
            const counts = await queue.getJobCounts(...reportedStates);
            for (const state of reportedStates) this.set({ state }, counts[state] ?? 0);
          },
        }),
      );
    },
  };
}
