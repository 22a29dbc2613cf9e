import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import { z } from 'zod';
import { hash, initialMetadata, integer, metadata, oneOf, parseParams, string } from '../server/params';
import type { PaymentMethodsService } from './payment-methods.service';

/** `POST /v1/payment_methods`, `GET /v1/payment_methods/:id`. */
export function paymentMethodRoutes(methods: PaymentMethodsService): ApiRoute[] {
  return [
    route('post', '/payment_methods', (req) => createPaymentMethod(methods, req)),
    route('get', '/payment_methods/:id', (req) => retrievePaymentMethod(methods, req)),
  ];
}

const CreateParams = z.strictObject({
  type: oneOf(['card'], { required: true }),
  card: hash(
    {
      number: string({ required: true }),
      exp_month: integer({ required: true }),
      exp_year: integer({ required: true }),
      cvc: string(),
    },
    { required: true },
  ),
  billing_details: hash({ name: string(), email: string() }),
  metadata: metadata(),
});

function createPaymentMethod(methods: PaymentMethodsService, { body }: ApiRequest): unknown {
  const { card, billing_details: billing, ...params } = parseParams(CreateParams, body);
  return methods.create({
    number: card.number,
    expMonth: card.exp_month,
    expYear: card.exp_year,
    cvc: card.cvc,
    name: billing?.name,
    email: billing?.email,
    metadata: initialMetadata(params.metadata),
  });
}

function retrievePaymentMethod(methods: PaymentMethodsService, { params: path, query }: ApiRequest): unknown {
  parseParams(z.strictObject({}), query);
  return methods.retrieve(path.id!);
}
