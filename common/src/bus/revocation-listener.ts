import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { safeParseEnvelope, sessionRevokedSubject, streamFor } from '../events';
import { RevokedSessions } from '../express/session-revocations';
import type { Bus } from './bus';

/** Options of {@link startRevocationListener}. */
export interface RevocationListenerOptions {
  bus: Bus;
  logger: Logger;
  /** How far back the replay at start-up reaches: the longest a token lives (`JWT_TTL_SECONDS`). */
  replaySeconds: number;
  /** How long the start-up replay may take before the start fails. Default 30 s. */
  replayTimeoutMs?: number;
}

/** A running listener: the set it keeps current, and how to stop it. */
export interface RevocationListener {
  revoked: RevokedSessions;
  stop(): Promise<void>;
}

/**
 * Keeps an in-memory {@link RevokedSessions} of this process current from `session.revoked`.
 * Every replica needs every revocation, so this is not a shared durable consumer but an ordered
 * (ephemeral, unacknowledged, per-process) one, started at the revocations of the last
 * `replaySeconds`: older ones concern tokens that have expired anyway. Resolves once the replay
 * has caught up with the stream, so a process never serves requests with a stale set.
 */
export async function startRevocationListener(
  options: RevocationListenerOptions,
): Promise<RevocationListener> {
  const { bus } = options;
  const logger = options.logger.child({ component: 'revocations' });
  const revoked = new RevokedSessions();
  const consumer = await bus.js.consumers.get(bus.streamName(streamFor(sessionRevokedSubject)), {
    filter_subjects: bus.subjectFor(sessionRevokedSubject),
    opt_start_time: new Date(Date.now() - options.replaySeconds * 1000).toISOString(),
  });
  const pending = (await consumer.info(true)).num_pending;
  let caughtUp: () => void = () => undefined;
  const replayed = new Promise<void>((resolve) => {
    caughtUp = resolve;
  });
  if (pending === 0) caughtUp();

  const apply = (msg: JsMsg) => {
    let raw: unknown;
    try {
      raw = msg.json();
    } catch {
      raw = undefined;
    }
    const parsed = safeParseEnvelope(raw);
    if (parsed.success && parsed.envelope.subject === sessionRevokedSubject) {
      const { sessionIds, expiresAt } = parsed.envelope.data;
      revoked.revoke(sessionIds, new Date(expiresAt));
    } else {
      logger.warn(
        { seq: msg.seq, error: parsed.success ? 'unexpected subject' : parsed.error },
        'skipped message',
      );
    }
    if (msg.info.pending === 0) caughtUp();
  };

  const messages: ConsumerMessages = await consumer.consume();
  const loop = (async () => {
    try {
      for await (const msg of messages) apply(msg);
    } catch (err) {
      logger.error({ err }, 'revocation listener stopped');
    }
  })();
  const stop = async () => {
    await messages.close();
    await loop;
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error('session revocations did not replay in time')),
      options.replayTimeoutMs ?? 30_000,
    );
  });
  try {
    await Promise.race([replayed, timeout]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  logger.info({ replayed: pending, revoked: revoked.size }, 'session revocations replayed');
  return { revoked, stop };
}
