import type { ConsumerSpec } from '@glotixz/common/bus';

/**
 * The events auth consumes: none. Auth is where users and sessions start; it publishes
 * `session.revoked` (`sessions/sessions.repo.ts`, through the outbox) and reads nothing from the
 * bus. A consumer declared here is started by the service's declaration like everywhere else.
 */
export function authConsumers(): ConsumerSpec[] {
  return [];
}
