import { route, type ApiRoute } from '../server/api-route';
import { Params } from '../server/params';
import type { ChargesService } from './charges.service';

/** `GET /v1/charges/:id`: the charges PaymentIntents created (read-only). */
export function chargeRoutes(charges: ChargesService): ApiRoute[] {
  return [
    route('get', '/charges/:id', ({ params, query }) => {
      Params.of(query, []);
      return charges.retrieve(params.id!);
    }),
  ];
}
