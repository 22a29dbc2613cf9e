import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { Consumer, ConsumerMessages } from '@nats-io/jetstream';
import { streamFor } from '../events';
import type { Subject } from '../events';
import { handleDeliveries } from './consume.batch';
import { resolveOptions, type ConsumerSetup } from './consumer-setup';
import type { ConsumeOptions, ConsumerBus, ConsumerHandle } from './consumer.types';
import { DeliveryQueue } from './delivery-queue';

export type {
  ConsumeOptions,
  ConsumerBus,
  ConsumerHandle,
  EventHandler,
  MessageContext,
} from './consumer.types';

const restartDelayMs = 1_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Creates (or updates) the durable pull consumer. JetStream's own max_deliver stays unlimited:
 * only this wrapper decides when to give up, so a message is never dropped without a dead letter.
 */
async function provision<S extends Subject>(setup: ConsumerSetup<S>): Promise<Consumer> {
  const stream = setup.bus.streamName(streamFor(setup.subject));
  await setup.bus.jsm.consumers.add(stream, {
    durable_name: setup.durable,
    filter_subject: setup.bus.subjectFor(setup.subject),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: setup.ackWaitMs * 1_000_000,
    max_deliver: -1,
  });
  return setup.bus.js.consumers.get(stream, setup.durable);
}

/** The pull loop of one consumer: restarts the subscription when it ends or fails, until stopped. */
class PullLoop<S extends Subject> {
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly setup: ConsumerSetup<S>,
    private readonly consumer: Consumer,
  ) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.pullOnce();
      } catch (err) {
        if (this.stopping) break;
        this.setup.logger.error({ err }, 'consumer loop failed; restarting');
        await sleep(restartDelayMs);
      }
    }
  }

  private async pullOnce(): Promise<void> {
    const current = await this.consumer.consume({ max_messages: this.setup.prefetch });
    this.messages = current;
    if (this.stopping) {
      await current.close();
      return;
    }
    const queue = new DeliveryQueue(current);
    for (;;) {
      const msgs = await queue.take(this.setup.maxBatch);
      if (!msgs) break;
      if (this.stopping) {
        for (const msg of msgs) msg.nak();
        continue;
      }
      await handleDeliveries(this.setup, msgs);
    }
    if (!this.stopping) {
      this.setup.logger.warn('consumer iterator ended; restarting');
      await sleep(restartDelayMs);
    }
  }

  /** Stops pulling, waits for the handler in flight, and returns unhandled prefetched messages. */
  async stop(): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    await this.messages?.close();
    await this.done;
    this.setup.logger.info('consumer stopped');
  }
}

/** Provisions the durable pull consumer and starts its loop. Called by `Bus.consume`. */
export async function startConsumer<S extends Subject>(
  bus: ConsumerBus,
  options: ConsumeOptions<S>,
): Promise<ConsumerHandle> {
  const setup = resolveOptions(bus, options);
  const consumer = await provision(setup);
  const loop = new PullLoop(setup, consumer);
  setup.logger.info('consumer started');
  return { durable: setup.durable, stop: () => loop.stop() };
}
