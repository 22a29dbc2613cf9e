import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import { Params, initialMetadata } from '../server/params';
import { invalidParam } from '../server/stripe-error';
import type { RefundsService } from './refunds.service';

/** `POST /v1/refunds`, `GET /v1/refunds/:id`. */
export function refundRoutes(refunds: RefundsService): ApiRoute[] {
  return [
    route('post', '/refunds', (req) => createRefund(refunds, req)),
    route('get', '/refunds/:id', (req) => retrieveRefund(refunds, req)),
  ];
}

function createRefund(refunds: RefundsService, { body, ctx }: ApiRequest): unknown {
  const params = Params.of(body, ['payment_intent', 'charge', 'amount', 'reason', 'metadata']);
  const paymentIntent = params.string('payment_intent');
  const charge = params.string('charge');
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
    amount: params.integer('amount', { min: 1 }),
    reason: params.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const),
    metadata: initialMetadata(params.metadata()),
  });
}

function retrieveRefund(refunds: RefundsService, { params: path, query }: ApiRequest): unknown {
  Params.of(query, []);
  return refunds.retrieve(path.id!);
}
