import type { JsMsg } from '@nats-io/jetstream';
import { deadLetterSubject } from '../events';
import { traceHeaders } from '../tracing/propagation';
import type { ConsumerBus } from './consumer.types';
import type { DeadLetter } from './dead-letter';
import { fromNatsHeaders } from './message';

/**
 * Publishes the dead letter of `msg` on `deadletter.<durable>` and waits for its PubAck. Called
 * inside the delivery's span, so the letter keeps the message's trace. Its `msgID` is the durable
 * and stream sequence: dead-lettering the same message twice stores one letter.
 */
export async function publishDeadLetter(
  bus: Pick<ConsumerBus, 'publishRaw' | 'logicalSubject'>,
  durable: string,
  msg: JsMsg,
  failure: { reason: DeadLetter['reason']; error: string },
): Promise<void> {
  const letter: DeadLetter = {
    reason: failure.reason,
    consumer: durable,
    subject: bus.logicalSubject(msg.subject),
    streamSequence: msg.seq,
    deliveries: msg.info.deliveryCount,
    error: failure.error,
    payload: msg.string(),
    headers: fromNatsHeaders(msg.headers),
    failedAt: new Date().toISOString(),
  };
  await bus.publishRaw(deadLetterSubject(durable), JSON.stringify(letter), {
    msgID: `${durable}:${msg.seq}`,
    headers: traceHeaders(),
  });
}
