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
import { cursorParams, listCursor } from '../server/list';
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
  source_transaction: string(),
  description: string(),
  metadata: metadata(),
});
const UpdateParams = z.strictObject({ description: nullableString(), metadata: metadata() });
const ListParams = z.strictObject({ destination: string(), transfer_group: string(), ...cursorParams });
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
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    throw invalidParam(
      'amount',
      `Amount must be no more than ${format.format(stripeMaxAmount / 10 ** digits)} ${currency}`,
      'amount_too_large',
    );
  }
  return transfers.create(ctx, {
    amount: params.amount,
    currency,
    destination: params.destination,
    transferGroup: params.transfer_group,
    sourceTransaction: params.source_transaction,
    description: params.description,
    metadata: initialMetadata(params.metadata),
  });
}

function listTransfers(transfers: TransfersService, { query }: ApiRequest): unknown {
  const params = parseParams(ListParams, query);
  return transfers.list({
    destination: params.destination,
    transferGroup: params.transfer_group,
    ...listCursor(params),
  });
}

function reverseTransfer(transfers: TransfersService, { params: path, body, ctx }: ApiRequest): unknown {
  const params = parseParams(ReverseParams, body);
  return transfers.reverse(ctx, path.id!, {
    amount: params.amount,
    metadata: initialMetadata(params.metadata),
  });
}
