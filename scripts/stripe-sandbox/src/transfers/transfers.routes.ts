import { z } from 'zod';
import { stripeMaxAmount } from '@glotixz/common/events';
import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import {
  boolean,
  initialMetadata,
  integer,
  metadata,
  nullableString,
  parseParams,
  string,
} from '../server/params';
import { invalidParam } from '../server/stripe-error';
import type { TransfersService } from './transfers.service';

/** `POST/GET /v1/transfers...` and `.../reversals`. */
export function transferRoutes(transfers: TransfersService): ApiRoute[] {
  return [
    route('post', '/transfers', (req) => createTransfer(transfers, req)),
    route('get', '/transfers', (req) => listTransfers(transfers, req)),
    route('get', '/transfers/:id', ({ params, query }) => {
      parseParams(z.strictObject({}), query);
      return transfers.retrieve(params.id!);
    }),
    route('post', '/transfers/:id', ({ params, body }) => {
      const parsed = parseParams(UpdateParams, body);
      return transfers.update(params.id!, parsed);
    }),
    route('post', '/transfers/:id/reversals', (req) => reverseTransfer(transfers, req)),
    route('get', '/transfers/:id/reversals', ({ params, query }) => {
      const { limit } = parseParams(z.strictObject({ limit: integer({ min: 1, max: 100 }) }), query);
      return transfers.listReversals(params.id!, limit ?? 10);
    }),
    route('get', '/transfers/:id/reversals/:reversal', ({ params, query }) => {
      parseParams(z.strictObject({}), query);
      return transfers.retrieveReversal(params.id!, params.reversal!);
    }),
  ];
}

const CreateParams = z.strictObject({
  amount: integer({ required: true, min: 1 }),
  currency: string({ required: true }),
  destination: string({ required: true }),
  transfer_group: string(),
  description: string(),
  metadata: metadata(),
});
const UpdateParams = z.strictObject({ description: nullableString(), metadata: metadata() });
const ListParams = z.strictObject({
  destination: string(),
  transfer_group: string(),
  limit: integer({ min: 1, max: 100 }),
  starting_after: string(),
  ending_before: string(),
});
const ReverseParams = z.strictObject({
  amount: integer({ min: 1 }),
  description: string(),
  metadata: metadata(),
  refund_application_fee: boolean(),
});
const CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()));

function createTransfer(transfers: TransfersService, { body, ctx }: ApiRequest): unknown {
  const params = parseParams(CreateParams, body);
  const currency = params.currency.toLowerCase();
  if (!CURRENCIES.has(currency)) {
    throw invalidParam(
      'currency',
      `Invalid currency: ${currency}. Use a three-letter ISO 4217 code such as usd.`,
    );
  }
  if (params.amount > stripeMaxAmount) {
    throw invalidParam('amount', `Amount must be no more than ${stripeMaxAmount}`, 'amount_too_large');
  }
  return transfers.create(ctx, {
    amount: params.amount,
    currency,
    destination: params.destination,
    transferGroup: params.transfer_group,
    description: params.description,
    metadata: initialMetadata(params.metadata),
  });
}

function listTransfers(transfers: TransfersService, { query }: ApiRequest): unknown {
  const params = parseParams(ListParams, query);
  if (params.starting_after !== undefined && params.ending_before !== undefined) {
    throw invalidParam(
      'ending_before',
      'You may only specify one of these parameters: ending_before, starting_after.',
      'parameters_exclusive',
    );
  }
  return transfers.list({
    destination: params.destination,
    transferGroup: params.transfer_group,
    limit: params.limit ?? 10,
    startingAfter: params.starting_after,
    endingBefore: params.ending_before,
  });
}

function reverseTransfer(transfers: TransfersService, { params: path, body, ctx }: ApiRequest): unknown {
  const params = parseParams(ReverseParams, body);
  return transfers.reverse(ctx, path.id!, {
    amount: params.amount,
    metadata: initialMetadata(params.metadata),
  });
}
