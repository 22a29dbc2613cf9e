import { z } from 'zod';
import { route, type ApiRoute } from '../server/api-route';
import { parseParams } from '../server/params';
import type { BalanceService } from './balance.service';

/** `GET /v1/balance`. */
export function balanceRoutes(balance: BalanceService): ApiRoute[] {
  return [
    route('get', '/balance', ({ query }) => {
      parseParams(z.strictObject({}), query);
      return balance.retrieve();
    }),
  ];
}
