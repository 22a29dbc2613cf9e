import { createServiceApp, type ServiceApp } from '@glotixz/common/express';
import { appDefaults, type AppDeps as BaseAppDeps } from '@glotixz/common/service';
import type { Config } from './config';
import type { OrdersDb } from './db/db';
import { ordersRoutes } from './orders/orders.routes';
import type { OrdersMetrics } from './orders/orders.metrics';
import { createOrdersService } from './orders/orders.service';

/** What the orders app needs from the outside world. */
export interface AppDeps extends BaseAppDeps<Config, OrdersDb> {
  /** The order counters, registered in `registry` by the caller (see `createOrdersMetrics`). */
  ordersMetrics?: OrdersMetrics;
}

/** Builds the orders Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp(deps: AppDeps): ServiceApp {
  const { config, db, ordersMetrics } = deps;
  const orders = createOrdersService(
    db,
    {
      expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS,
      maxHoldsPerBuyer: config.MAX_HOLDS_PER_BUYER,
      orderRateMax: config.ORDER_RATE_MAX,
      orderRateWindowSeconds: config.ORDER_RATE_WINDOW_SECONDS,
      holdCooldownSeconds: config.HOLD_COOLDOWN_SECONDS,
      feeSchedule: config.PLATFORM_FEE,
    },
    ordersMetrics,
  );
  return createServiceApp({
    ...appDefaults('orders', deps),
    routes: ordersRoutes(orders),
    docsPath: '/api/orders/docs',
    docsTitle: 'Glotixz orders API',
  });
}
