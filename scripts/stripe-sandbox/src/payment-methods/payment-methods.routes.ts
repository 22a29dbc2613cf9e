import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import { Params, initialMetadata } from '../server/params';
import type { PaymentMethodsService } from './payment-methods.service';

/** `POST /v1/payment_methods`, `GET /v1/payment_methods/:id`. */
export function paymentMethodRoutes(methods: PaymentMethodsService): ApiRoute[] {
  return [
    route('post', '/payment_methods', (req) => createPaymentMethod(methods, req)),
    route('get', '/payment_methods/:id', (req) => retrievePaymentMethod(methods, req)),
  ];
}

function createPaymentMethod(methods: PaymentMethodsService, { body }: ApiRequest): unknown {
  const params = Params.of(body, ['type', 'card', 'billing_details', 'metadata']);
  params.oneOf('type', ['card'] as const, { required: true });
  const card = params.hash('card', ['number', 'exp_month', 'exp_year', 'cvc'], { required: true })!;
  const billing = params.hash('billing_details', ['name', 'email']);
  return methods.create({
    number: card.string('number', { required: true })!,
    expMonth: card.integer('exp_month', { required: true })!,
    expYear: card.integer('exp_year', { required: true })!,
    cvc: card.string('cvc'),
    name: billing?.string('name'),
    email: billing?.string('email'),
    metadata: initialMetadata(params.metadata()),
  });
}

function retrievePaymentMethod(methods: PaymentMethodsService, { params: path, query }: ApiRequest): unknown {
  Params.of(query, []);
  return methods.retrieve(path.id!);
}
