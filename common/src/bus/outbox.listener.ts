import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';

const listenRetryMs = 1_000;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Holds one pooled connection that `LISTEN`s on the outbox channel and calls `onNotify` for every
 * notification, and once after each (re)connect, since notifications sent while nobody listened
 * are lost. A lost connection is replaced after a second; until then the relay's poll covers.
 */
export class OutboxListener {
  private client: PoolClient | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly onNotify: () => void,
  ) {}

  /** Starts listening; on failure keeps retrying in the background. */
  async start(): Promise<void> {
    try {
      await this.listen();
    } catch (err) {
      this.logger.error({ err }, 'outbox LISTEN failed; relying on polling until it reconnects');
      this.scheduleListen();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.drop();
  }

  private drop(err?: Error): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners('notification');
    client.release(err ?? true);
  }

  private scheduleListen(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.listen().catch((err: unknown) => {
        this.logger.error({ err }, 'outbox LISTEN failed; retrying');
        this.scheduleListen();
      });
    }, listenRetryMs);
  }

  private async listen(): Promise<void> {
    const client = await this.pool.connect();
    if (this.stopped) {
      client.release();
      return;
    }
    this.client = client;
    client.on('notification', () => this.onNotify());
    client.on('error', (err: Error) => {
      if (this.client !== client) return;
      this.logger.warn({ err }, 'outbox LISTEN connection lost; reconnecting');
      this.drop(err);
      this.scheduleListen();
    });
    try {
      await client.query(`listen ${quoteIdent(this.channel)}`);
    } catch (err) {
      if (this.client === client) this.drop(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    this.onNotify();
  }
}
