import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import { z } from 'zod';
import { initialMetadata, integer, metadata, oneOf, parseParams, string } from '../server/params';
import { cursorParams, listCursor } from '../server/list';
import { invalidParam } from '../server/stripe-error';
import type { RefundsService } from './refunds.service';

/** `POST /v1/refunds`, `GET /v1/refunds` (list), `GET /v1/refunds/:id`. */
export function refundRoutes(refunds: RefundsService): ApiRoute[] {
  return [
    route('post', '/refunds', (req) => createRefund(refunds, req)),
    route('get', '/refunds', ({ query }) => {
      const params = parseParams(ListParams, query);
      return refunds.list({
        charge: params.charge,
        paymentIntent: params.payment_intent,
        ...listCursor(params),
      });
    }),
    route('get', '/refunds/:id', (req) => retrieveRefund(refunds, req)),
  ];
}

const CreateParams = z.strictObject({
  payment_intent: string(),
  charge: string(),
  amount: integer({ min: 1 }),
  reason: oneOf(['duplicate', 'fraudulent', 'requested_by_customer']),
  metadata: metadata(),
});
const ListParams = z.strictObject({ charge: string(), payment_intent: string(), ...cursorParams });

function createRefund(refunds: RefundsService, { body, ctx }: ApiRequest): unknown {
  const params = parseParams(CreateParams, body);
  const { payment_intent: paymentIntent, charge } = params;
  if (paymentIntent === undefined && charge === undefined) {
    throw invalidParam(
      'payment_intent',
      'One of the following params should be provided for this request: payment_intent or charge.',
      'parameter_missing',
    );
  }
  if (paymentIntent !== undefined && charge !== undefined) {
    throw invalidParam(
      'charge',
      'You may only specify one of these parameters: charge, payment_intent.',
      'parameters_exclusive',
    );
  }
  return refunds.create(ctx, {
    paymentIntent,
    charge,
    amount: params.amount,
    reason: params.reason,
    metadata: initialMetadata(params.metadata),
  });
}

function retrieveRefund(refunds: RefundsService, { params: path, query }: ApiRequest): unknown {
  parseParams(z.strictObject({}), query);
  return refunds.retrieve(path.id!);
}
