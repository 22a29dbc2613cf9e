import { createLogger, runService } from '@glotixz/common/express';
import { readConfig } from './config';
import { startExpirationService } from './service';

const config = readConfig(process.env);
const logger = createLogger({ service: 'expiration', level: config.LOG_LEVEL });

void runService(
  { service: 'expiration', logger, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT },
  async (lifecycle) => {
    const { app } = await startExpirationService({ config, logger, lifecycle });
    await lifecycle.listen(app.app, config);
  },
);
