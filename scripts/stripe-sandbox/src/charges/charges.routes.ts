import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import { z } from 'zod';
import { parseParams } from '../server/params';
import type { ChargesService } from './charges.service';

/** `GET /v1/charges/:id`: the charges PaymentIntents created (read-only). */
export function chargeRoutes(charges: ChargesService): ApiRoute[] {
  return [route('get', '/charges/:id', (req) => retrieveCharge(charges, req))];
}

function retrieveCharge(charges: ChargesService, { params: path, query }: ApiRequest): unknown {
  parseParams(z.strictObject({}), query);
  return charges.retrieve(path.id!);
}
