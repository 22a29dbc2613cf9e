import { createLogger } from '../express/logger';
import { runService } from '../express/run-service';
import { bootService } from './boot-service';
import type { ServiceConfig, ServiceDeclaration, ServiceSchema } from './service-declaration';

/** Options of {@link startService}. */
export interface StartServiceOptions {
  /** Hard limit for a graceful shutdown before the process exits anyway. Default 15 s. */
  shutdownTimeoutMs?: number;
}

/**
 * Runs a declared service as this process: parses `source` with the declaration's `config`
 * (a bad value exits listing every problem), creates the logger, then inside `runService`
 * (tracing first, flushed last; SIGTERM/SIGINT, a failed start or an unhandled rejection shut
 * down in reverse order of start) boots it (see `bootService`) and listens on its HOST:PORT.
 * A service's `main.ts` is this one call.
 */
export function startService<
  TConfig extends ServiceConfig,
  TSchema extends ServiceSchema,
  TExtra extends object,
>(
  declaration: ServiceDeclaration<TConfig, TSchema, TExtra>,
  source: Record<string, string | undefined>,
  options: StartServiceOptions = {},
): Promise<void> {
  const config = declaration.config(source);
  const logger = createLogger({ service: declaration.name, level: config.LOG_LEVEL });
  return runService(
    {
      service: declaration.name,
      logger,
      otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
    },
    async (lifecycle) => {
      const { app } = await bootService(declaration, { config, logger, lifecycle });
      await lifecycle.listen(app.app, config);
    },
  );
}
