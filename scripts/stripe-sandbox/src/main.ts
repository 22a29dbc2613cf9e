import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config';
import { startStripeSandbox } from './sandbox';

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = pino(
    {
      level: config.LOG_LEVEL,
      base: { service: 'stripe-sandbox' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization'], remove: true },
    },
    // Synchronous: pino's asynchronous stdout flushes on exit and spins forever when stdout is a
    // closed pipe (sonic-boom retries EPIPE), which would turn SIGTERM into a hang.
    pino.destination({ dest: 1, sync: true }),
  );
  const sandbox = await startStripeSandbox({
    port: config.STRIPE_SANDBOX_PORT,
    host: config.STRIPE_SANDBOX_HOST,
    secretKey: config.STRIPE_SECRET_KEY,
    publicUrl: config.STRIPE_SANDBOX_PUBLIC_URL,
    webhookUrl: config.STRIPE_WEBHOOK_URL,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    connectWebhookSecret: config.STRIPE_CONNECT_WEBHOOK_SECRET,
    webhookRetry: {
      attempts: config.STRIPE_WEBHOOK_ATTEMPTS,
      baseDelayMs: config.STRIPE_WEBHOOK_BASE_DELAY_MS,
    },
    logger,
  });

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `stripe sandbox failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
