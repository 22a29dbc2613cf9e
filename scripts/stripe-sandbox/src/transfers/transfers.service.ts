import type { AccountsService } from '../accounts/accounts.service';
import type { BalanceService } from '../balance/balance.service';
import type { ChargesService } from '../charges/charges.service';
import { newId, unixNow } from '../server/ids';
import { listPage, type ListCursor, type ListObject } from '../server/list';
import { mergeMetadata, type Metadata, type MetadataUpdate } from '../server/params';
import type { RequestContext } from '../server/request-context';
import { invalidRequest, resourceMissing } from '../server/stripe-error';
import type { EventLog } from '../webhooks/event-log';

/** A Transfer Reversal as Stripe's API returns it. */
export interface TransferReversalObject {
  id: string;
  object: 'transfer_reversal';
  amount: number;
  balance_transaction: string;
  created: number;
  currency: string;
  destination_payment_refund: string;
  metadata: Metadata;
  source_refund: null;
  transfer: string;
}

/** A Transfer as Stripe's API returns it (the fields the sandbox models). */
export interface TransferObject {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  balance_transaction: string;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  destination_payment: string;
  livemode: false;
  metadata: Metadata;
  reversals: {
    object: 'list';
    data: TransferReversalObject[];
    has_more: boolean;
    total_count: number;
    url: string;
  };
  reversed: boolean;
  /** The charge that funds the transfer; null when it came from the available balance. */
  source_transaction: string | null;
  source_type: 'card';
  transfer_group: string | null;
}

/** `POST /v1/transfers` once parsed. */
export interface CreateTransferInput {
  amount: number;
  currency: string;
  destination: string;
  transferGroup?: string;
  /** A charge of the platform's whose (possibly pending) funds back the transfer. */
  sourceTransaction?: string;
  description?: string;
  metadata: Metadata;
}

/** `GET /v1/transfers` filters and cursor, once parsed. */
export interface ListTransfersInput extends ListCursor {
  destination?: string;
  transferGroup?: string;
}

/** The first reversals a transfer embeds in `reversals.data`, as on Stripe. */
const EMBEDDED_REVERSALS = 10;

/** Stripe's test-mode message for a transfer above the available balance. */
const INSUFFICIENT_FUNDS =
  'Insufficient funds in Stripe account. In test mode, you can add funds to your available balance ' +
  '(bypassing your pending balance) by creating a charge with 4000 0000 0000 0077 as the card number. ' +
  'You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).';

function written(amount: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

/**
 * Transfers from the platform's balance to connected accounts ("separate charges and
 * transfers"), and their reversals. A transfer needs an account whose `transfers` capability is
 * active and at most the platform's available balance in its currency, or, with a
 * `source_transaction`, at most what is left of that charge (its amount less its refunds and the
 * transfers it funded before); a reversal gives back at most what was not reversed yet.
 */
export class TransfersService {
  private readonly transfers = new Map<string, TransferObject>();

  constructor(
    private readonly accounts: AccountsService,
    private readonly balance: BalanceService,
    private readonly events: EventLog,
    private readonly charges: ChargesService,
  ) {}

  /** `POST /v1/transfers`: fires `transfer.created`. */
  create(ctx: RequestContext, input: CreateTransferInput): TransferObject {
    const account = this.accounts.find(input.destination);
    if (!account) throw resourceMissing('destination', input.destination, 'destination', 400);
    if (account.capabilities.transfers !== 'active') {
      throw invalidRequest(
        'Your destination account needs to have at least one of the following capabilities enabled: ' +
          'transfers, crypto_transfers, legacy_payments',
        { code: 'insufficient_capabilities_for_transfer', param: 'destination' },
      );
    }
    if (input.sourceTransaction !== undefined) {
      this.checkSource(input.sourceTransaction, input.amount, input.currency);
    } else if (input.amount > this.balance.availableIn(input.currency)) {
      throw invalidRequest(INSUFFICIENT_FUNDS, { code: 'balance_insufficient' });
    }
    const id = newId('tr');
    const transfer: TransferObject = {
      id,
      object: 'transfer',
      amount: input.amount,
      amount_reversed: 0,
      balance_transaction: newId('txn'),
      created: unixNow(),
      currency: input.currency,
      description: input.description ?? null,
      destination: account.id,
      destination_payment: newId('py'),
      livemode: false,
      metadata: input.metadata,
      reversals: {
        object: 'list',
        data: [],
        has_more: false,
        total_count: 0,
        url: `/v1/transfers/${id}/reversals`,
      },
      reversed: false,
      source_transaction: input.sourceTransaction ?? null,
      source_type: 'card',
      transfer_group: input.transferGroup ?? null,
    };
    this.balance.add(transfer.currency, -transfer.amount);
    this.transfers.set(id, transfer);
    this.events.record(ctx, 'transfer.created', transfer);
    return transfer;
  }

  /** `GET /v1/transfers/:id`. */
  retrieve(id: string): TransferObject {
    const transfer = this.transfers.get(id);
    if (!transfer) throw resourceMissing('transfer', id, 'id', 404);
    return transfer;
  }

  /** `POST /v1/transfers/:id`: description and metadata. */
  update(id: string, input: { description?: string | null; metadata?: MetadataUpdate }): TransferObject {
    const transfer = this.retrieve(id);
    if (input.description !== undefined) transfer.description = input.description;
    if (input.metadata) transfer.metadata = mergeMetadata(transfer.metadata, input.metadata);
    return transfer;
  }

  /** `GET /v1/transfers`: newest first, filtered, paged by id cursors like Stripe's lists. */
  list(input: ListTransfersInput): ListObject<TransferObject> {
    const matching = [...this.transfers.values()]
      .reverse()
      .filter(
        (transfer) =>
          (input.destination === undefined || transfer.destination === input.destination) &&
          (input.transferGroup === undefined || transfer.transfer_group === input.transferGroup),
      );
    return listPage(matching, input, '/v1/transfers', 'transfer');
  }

  /** `POST /v1/transfers/:id/reversals`: fires `transfer.reversed` (partial reversals too, as on Stripe). */
  reverse(
    ctx: RequestContext,
    id: string,
    input: { amount?: number; metadata: Metadata },
  ): TransferReversalObject {
    const transfer = this.retrieve(id);
    const remaining = transfer.amount - transfer.amount_reversed;
    if (remaining === 0) {
      throw invalidRequest(`Transfer ${transfer.id} has already been fully reversed.`);
    }
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw invalidRequest(
        `Reversal amount (${written(amount, transfer.currency)}) is greater than the amount that can be reversed ` +
          `on transfer ${transfer.id} (${written(remaining, transfer.currency)}).`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
    const reversal: TransferReversalObject = {
      id: newId('trr'),
      object: 'transfer_reversal',
      amount,
      balance_transaction: newId('txn'),
      created: unixNow(),
      currency: transfer.currency,
      destination_payment_refund: newId('pyr'),
      metadata: input.metadata,
      source_refund: null,
      transfer: transfer.id,
    };
    transfer.amount_reversed += amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    const all = [reversal, ...this.reversalsOf(transfer)];
    this.reversals.set(transfer.id, all);
    transfer.reversals = {
      ...transfer.reversals,
      data: all.slice(0, EMBEDDED_REVERSALS),
      has_more: all.length > EMBEDDED_REVERSALS,
      total_count: all.length,
    };
    this.balance.add(transfer.currency, amount);
    this.events.record(ctx, 'transfer.reversed', transfer);
    return reversal;
  }

  /** `GET /v1/transfers/:id/reversals`: newest first. */
  listReversals(
    id: string,
    limit: number,
  ): { object: 'list'; data: TransferReversalObject[]; has_more: boolean; url: string } {
    const transfer = this.retrieve(id);
    const all = this.reversalsOf(transfer);
    return {
      object: 'list',
      data: all.slice(0, limit),
      has_more: all.length > limit,
      url: transfer.reversals.url,
    };
  }

  /** `GET /v1/transfers/:id/reversals/:reversal`. */
  retrieveReversal(id: string, reversalId: string): TransferReversalObject {
    const reversal = this.reversalsOf(this.retrieve(id)).find((item) => item.id === reversalId);
    if (!reversal) throw resourceMissing('transfer_reversal', reversalId, 'id', 404);
    return reversal;
  }

  /** Every transfer, oldest first. */
  all(): TransferObject[] {
    return [...this.transfers.values()];
  }

  private readonly reversals = new Map<string, TransferReversalObject[]>();

  private reversalsOf(transfer: TransferObject): TransferReversalObject[] {
    return this.reversals.get(transfer.id) ?? [];
  }

  /**
   * What a `source_transaction` must be, as Stripe checks it: a charge of the platform's that
   * succeeded, in the transfer's currency, with at least `amount` left of it once its refunds and
   * the transfers it funded before are taken off.
   */
  private checkSource(chargeId: string, amount: number, currency: string): void {
    const charge = this.charges.find(chargeId);
    if (!charge) throw resourceMissing('charge', chargeId, 'source_transaction', 400);
    if (charge.status !== 'succeeded') {
      throw invalidRequest(
        `The source_transaction ${charge.id} has not succeeded and cannot fund a transfer.`,
        { param: 'source_transaction' },
      );
    }
    if (charge.currency !== currency) {
      throw invalidRequest(
        `The currency of source_transaction's balance transaction (${charge.currency}) must be the same as ` +
          `the transfer currency (${currency})`,
        { param: 'currency' },
      );
    }
    const funded = this.all()
      .filter((transfer) => transfer.source_transaction === charge.id)
      .reduce((sum, transfer) => sum + transfer.amount, 0);
    const left = charge.amount - charge.amount_refunded - funded;
    if (amount > left) {
      throw invalidRequest(
        `Transfer amount (${written(amount, currency)}) is greater than what is left of the source_transaction ` +
          `${charge.id} (${written(Math.max(0, left), currency)}) after its refunds and earlier transfers.`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
  }
}
