import {
  createServiceApp,
  sessionOptions,
  type Registry,
  type ServiceApp,
  type SessionRevocationCheck,
} from '@glotixz/common/express';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { OrdersDb } from './db/db';
import { ordersRoutes } from './orders/orders.routes';
import type { OrdersMetrics } from './orders/orders.metrics';
import { createOrdersService } from './orders/orders.service';

/** What the orders app needs from the outside world. */
export interface AppDeps {
  config: Config;
  db: OrdersDb;
  logger: Logger;
  /** Resolves when NATS and JetStream answer (the running messaging's `ready`). */
  natsReady: () => Promise<void>;
  /** The registry `/metrics` serves, shared with `startMessaging` for the bus metrics; a new one by default. */
  registry?: Registry;
  /** The order counters, registered in `registry` by the caller (see `createOrdersMetrics`). */
  ordersMetrics?: OrdersMetrics;
  /** Revoked sessions (`Messaging.revokedSessions`): their tokens are refused. */
  revocations?: SessionRevocationCheck;
}

/** Builds the orders Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp({
  config,
  db,
  logger,
  natsReady,
  registry,
  ordersMetrics,
  revocations,
}: AppDeps): ServiceApp {
  const orders = createOrdersService(
    db,
    {
      expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS,
      maxHoldsPerBuyer: config.MAX_HOLDS_PER_BUYER,
      orderRateMax: config.ORDER_RATE_MAX,
      orderRateWindowSeconds: config.ORDER_RATE_WINDOW_SECONDS,
      holdCooldownSeconds: config.HOLD_COOLDOWN_SECONDS,
    },
    ordersMetrics,
  );
  return createServiceApp({
    service: 'orders',
    logger,
    ...sessionOptions(config),
    revocations,
    routes: ordersRoutes(orders),
    docsPath: '/api/orders/docs',
    docsTitle: 'Glotixz orders API',
    readiness: { postgres: () => db.execute(sql`select 1`), nats: natsReady },
    registry,
  });
}
