import { defineRoute, type AuthedRequest } from '@glotixz/common/express';
import type { Response } from 'express';
import { payBodySchema, paymentQuerySchema, paymentSchema } from './payments.schemas';
import type { PaymentsService } from './payments.service';

const tags = ['payments'];

/** The buyer's payment routes: the table first, handlers below. */
export function paymentsRoutes(payments: PaymentsService) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/payments',
      operationId: 'pay',
      summary: 'Pay for my order',
      description:
        "Creates the order's one Stripe PaymentIntent, or returns it if it exists (201 when created, " +
        "200 otherwise). The amount and currency are the order's. With `paymentMethodId` the payment " +
        'is confirmed on the server; a decline answers 402 and the same PaymentIntent takes another ' +
        'card; a PaymentMethod Stripe does not know answers 400 PAYMENT_METHOD_INVALID, any other ' +
        'request Stripe refuses 400 PAYMENT_REQUEST_INVALID. Whether it succeeded is known from Stripe ' +
        '(its webhook, or the reconciler asking it): poll `GET /api/payments`.',
      tags,
      auth: 'required',
      body: payBodySchema,
      responses: {
        201: { description: 'The PaymentIntent was created', schema: paymentSchema },
        200: { description: 'The existing payment', schema: paymentSchema },
      },
      errors: [
        'NOT_FOUND',
        'ORDER_NOT_PAYABLE',
        'ORDER_ALREADY_PAID',
        'PAYMENT_DECLINED',
        'PAYMENT_METHOD_INVALID',
        'PAYMENT_REQUEST_INVALID',
        'PAYMENT_PROVIDER_UNAVAILABLE',
        'CONFLICT',
      ],
      handler: pay,
    }),
    defineRoute({
      method: 'get',
      path: '/api/payments',
      operationId: 'getPayment',
      summary: "My order's payment, to poll for its outcome",
      tags,
      auth: 'required',
      query: paymentQuerySchema,
      responses: { 200: { description: 'The payment', schema: paymentSchema } },
      errors: ['NOT_FOUND'],
      handler: getPayment,
    }),
  ];

  async function pay(
    req: AuthedRequest<typeof payBodySchema, undefined, undefined>,
    res: Response,
  ): Promise<void> {
    const { created, payment } = await payments.pay(req.currentUser.id, req.body);
    res.status(created ? 201 : 200).json(payment);
  }

  async function getPayment(
    req: AuthedRequest<undefined, typeof paymentQuerySchema, undefined>,
    res: Response,
  ): Promise<void> {
    res.json(await payments.get(req.currentUser.id, req.query.orderId));
  }
}
