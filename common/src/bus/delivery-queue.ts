import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';

/**
 * The messages of one pull subscription, moved out of its iterator as they arrive so that the
 * consumer can take every message already here at once, without waiting for more. Flow control
 * is unchanged: the subscription pulls again as messages arrive, not as they are taken.
 */
export class DeliveryQueue {
  private readonly queue: JsMsg[] = [];
  private ended = false;
  private failure: { err: unknown } | undefined;
  private waiting: (() => void) | undefined;
  /** Resolves when the subscription has ended. */
  readonly pumped: Promise<void>;

  constructor(messages: ConsumerMessages) {
    this.pumped = this.pump(messages);
  }

  /**
   * Up to `max` messages: those that have arrived, else the next one to arrive. `undefined` once
   * the subscription has ended and every message was taken; throws then if it ended in an error.
   */
  async take(max: number): Promise<JsMsg[] | undefined> {
    if (this.queue.length === 0) {
      while (this.queue.length === 0) {
        if (this.ended) {
          if (this.failure) throw this.failure.err;
          return undefined;
        }
        await new Promise<void>((resolve) => {
          this.waiting = resolve;
        });
      }
      // The rest of a pull's burst is parsed already and only some microtasks away: let it in.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return this.queue.splice(0, max);
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        this.queue.push(msg);
        this.signal();
      }
    } catch (err) {
      this.failure = { err };
    } finally {
      this.ended = true;
      this.signal();
    }
  }

  private signal(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
