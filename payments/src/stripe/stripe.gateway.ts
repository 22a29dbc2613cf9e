import type Stripe from 'stripe';
import { stripeSdk } from './stripe.client';
import type { PaymentError } from '../db/schema';

/** What a PaymentIntent is created for. Everything here is fixed per order, see {@link createIntent}. */
export interface IntentRequest {
  orderId: string;
  userId: string;
  amount: number;
  currency: string;
}

/** A Stripe Transfer as payouts records it. */
export interface TransferState {
  id: string;
  amount: number;
  amountReversed: number;
  currency: string;
  destination: string;
  reversed: boolean;
  /** The charge that funds the transfer (`source_transaction`); null: the available balance did. */
  sourceTransaction: string | null;
  transferGroup: string | null;
}

/** A Stripe Refund as the ledger's reconciliation compares it. */
export interface RefundState {
  id: string;
  amount: number;
  currency: string;
  charge: string | null;
  status: string | null;
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);

/** How many objects a list call walks at most (its pages of 100): far above one order's few. */
const listCap = 1000;

function transferStateOf(transfer: Stripe.Transfer): TransferState {
  return {
    id: transfer.id,
    amount: transfer.amount,
    amountReversed: transfer.amount_reversed,
    currency: transfer.currency,
    destination:
      typeof transfer.destination === 'string' ? transfer.destination : (transfer.destination?.id ?? ''),
    reversed: transfer.reversed,
    sourceTransaction: idOf(transfer.source_transaction),
    transferGroup: transfer.transfer_group ?? null,
  };
}

/** What a PaymentIntent is tagged with besides its {@link IntentRequest}. */
export interface IntentTags {
  /**
   * The W3C `traceparent` of the purchase, kept in the PaymentIntent's metadata so that its
   * webhook continues the same trace.
   */
  traceparent?: string;
}

/** The parts of a PaymentIntent this service keeps. */
export interface CreatedIntent {
  id: string;
  clientSecret: string;
}

/** What the reconciler needs to know of a PaymentIntent's state at Stripe. */
export interface IntentState {
  id: string;
  status: Stripe.PaymentIntent.Status;
  /** Why the last attempt failed, when it did. */
  lastPaymentError: PaymentError | null;
  /** The last Charge (`latest_charge`): once `succeeded`, the one that took the money. */
  latestCharge: string | null;
}

function stateOf(intent: Stripe.PaymentIntent): IntentState {
  return {
    id: intent.id,
    status: intent.status,
    latestCharge: idOf(intent.latest_charge),
    lastPaymentError: intent.last_payment_error ? paymentErrorOf(intent.last_payment_error) : null,
  };
}

/** The card was declined: the buyer may try another one on the same PaymentIntent. */
export class CardDeclinedError extends Error {
  override readonly name = 'CardDeclinedError';

  constructor(readonly reason: PaymentError) {
    super(reason.message);
  }
}

/** Stripe could not be reached, timed out, or answered with a server or rate-limit error. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The PaymentIntent is not in a state that can be confirmed (e.g. it already succeeded). */
export class IntentStateError extends Error {
  override readonly name = 'IntentStateError';
}

/** Stripe refused a request Stripe understood but will not carry out (`invalid_request_error`). */
export class InvalidStripeRequestError extends Error {
  override readonly name: string = 'InvalidStripeRequestError';

  constructor(
    /** Stripe's error code, e.g. `amount_too_large`; `null` when Stripe sent none. */
    readonly code: string | null,
    /** The request parameter Stripe named, e.g. `amount`. */
    readonly param: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** The PaymentMethod does not exist, or cannot be used for this payment. */
export class PaymentMethodInvalidError extends InvalidStripeRequestError {
  override readonly name = 'PaymentMethodInvalidError';
}

/** The decline reason of a Stripe card error or of a PaymentIntent's `last_payment_error`. */
export function paymentErrorOf(source: {
  code?: string | null;
  decline_code?: string | null;
  message?: string | null;
}): PaymentError {
  return {
    code: source.code || null,
    declineCode: source.decline_code || null,
    message: source.message || 'The payment was declined',
  };
}

/** Whether an `invalid_request_error` is about the PaymentMethod the buyer chose. */
function aboutPaymentMethod(err: Stripe.errors.StripeInvalidRequestError): boolean {
  return err.param === 'payment_method' || (err.code?.startsWith('payment_method_') ?? false);
}

/**
 * Turns the SDK's errors into the few outcomes the service acts on: a decline, an outage (also
 * after the SDK's own retries), a PaymentIntent in the wrong state, an unusable PaymentMethod, a
 * request Stripe refuses (e.g. an amount out of its limits). Anything else (a bad key) is our
 * fault and stays as it is, to be logged and answered 500.
 */
export function translateStripeError(err: unknown): unknown {
  const { errors } = stripeSdk();
  if (err instanceof errors.StripeCardError) return new CardDeclinedError(paymentErrorOf(err));
  if (
    err instanceof errors.StripeConnectionError ||
    err instanceof errors.StripeAPIError ||
    err instanceof errors.StripeRateLimitError
  ) {
    return new ProviderUnavailableError(err);
  }
  if (err instanceof errors.StripeInvalidRequestError) {
    if (err.code === 'payment_intent_unexpected_state') return new IntentStateError(err.message);
    const Refusal = aboutPaymentMethod(err) ? PaymentMethodInvalidError : InvalidStripeRequestError;
    return new Refusal(err.code ?? null, err.param ?? null, err.message);
  }
  return err;
}

async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    throw translateStripeError(err);
  }
}

/**
 * The Stripe calls of the payments service, each with its own idempotency key so that a retried
 * request (by the SDK, by a buyer, or after a crash) can never create a second PaymentIntent,
 * confirmation or refund.
 */
export function createStripeGateway(stripe: Stripe | (() => Stripe)) {
  const sdk = typeof stripe === 'function' ? stripe : () => stripe;
  return {
    /**
     * Creates the order's one PaymentIntent with the key `pi-<orderId>`: asking again (a crash
     * after Stripe answered, before the row was saved) returns the same PaymentIntent. The
     * parameters must therefore be a function of the order alone; the `traceparent`, which differs
     * per request, is added to the metadata by a separate update.
     */
    async createIntent(request: IntentRequest, tags: IntentTags = {}): Promise<CreatedIntent> {
      const intent = await call(() =>
        sdk().paymentIntents.create(
          {
            amount: request.amount,
            currency: request.currency,
            // Server-side confirmation carries no return_url, so redirect-based methods are left out.
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            // Separate charges and transfers: the seller's transfer names the same group.
            transfer_group: request.orderId,
            metadata: { orderId: request.orderId, userId: request.userId },
          },
          { idempotencyKey: `pi-${request.orderId}` },
        ),
      );
      if (!intent.client_secret) throw new Error(`PaymentIntent ${intent.id} came without a client secret`);
      const { traceparent } = tags;
      if (traceparent) {
        await call(() => sdk().paymentIntents.update(intent.id, { metadata: { traceparent } }));
      }
      return { id: intent.id, clientSecret: intent.client_secret };
    },

    /**
     * Confirms the PaymentIntent with a payment method. Answers Stripe's status; the outcome is
     * recorded from the webhook, never from here.
     * @throws CardDeclinedError, ProviderUnavailableError, IntentStateError,
     * PaymentMethodInvalidError, InvalidStripeRequestError.
     */
    async confirm(
      intentId: string,
      paymentMethodId: string,
      idempotencyKey: string,
    ): Promise<Stripe.PaymentIntent.Status> {
      const intent = await call(() =>
        sdk().paymentIntents.confirm(intentId, { payment_method: paymentMethodId }, { idempotencyKey }),
      );
      return intent.status;
    },

    /**
     * Asks Stripe for the PaymentIntent's current state.
     * @throws ProviderUnavailableError, or an InvalidStripeRequestError (e.g. an unknown id).
     */
    async retrieveIntent(intentId: string): Promise<IntentState> {
      return stateOf(await call(() => sdk().paymentIntents.retrieve(intentId)));
    },

    /**
     * Cancels a PaymentIntent that was never paid, so it can no longer be charged; asking again
     * (key `cancel-<intentId>`) answers the same.
     * @throws IntentStateError when it can no longer be canceled (e.g. it succeeded meanwhile),
     * ProviderUnavailableError.
     */
    async cancelIntent(intentId: string): Promise<IntentState> {
      return stateOf(
        await call(() =>
          sdk().paymentIntents.cancel(
            intentId,
            { cancellation_reason: 'abandoned' },
            { idempotencyKey: `cancel-${intentId}` },
          ),
        ),
      );
    },

    /**
     * Refunds the whole charge of a PaymentIntent with the key `refund-<paymentId>`, so a retry
     * after any failure answers the same refund instead of refunding twice.
     * @throws ProviderUnavailableError, or the SDK's error for anything else.
     */
    async refund(request: {
      paymentId: string;
      orderId: string;
      intentId: string;
      reason: string;
    }): Promise<{ id: string }> {
      const refund = await call(() =>
        sdk().refunds.create(
          {
            payment_intent: request.intentId,
            metadata: { orderId: request.orderId, paymentId: request.paymentId, reason: request.reason },
          },
          { idempotencyKey: `refund-${request.paymentId}` },
        ),
      );
      return { id: refund.id };
    },

    /**
     * Creates the seller's one Express connected account, with the key `account-<userId>`: asking
     * again (a crash before the row was saved, two tabs) answers the same account.
     */
    async createAccount(userId: string): Promise<{ id: string }> {
      const account = await call(() =>
        sdk().accounts.create(
          {
            type: 'express',
            capabilities: { transfers: { requested: true } },
            metadata: { userId },
          },
          { idempotencyKey: `account-${userId}` },
        ),
      );
      return { id: account.id };
    },

    /** A fresh onboarding link for the account (links are single-use and expire). */
    async createAccountLink(request: {
      accountId: string;
      returnUrl: string;
      refreshUrl: string;
    }): Promise<{ url: string }> {
      const link = await call(() =>
        sdk().accountLinks.create({
          account: request.accountId,
          type: 'account_onboarding',
          return_url: request.returnUrl,
          refresh_url: request.refreshUrl,
        }),
      );
      return { url: link.url };
    },

    /**
     * Sends a sale's net to the seller's account with the key `payout-<orderId>`: a retry after a
     * crash, or a second replica, answers the same transfer, so a sale is paid out once.
     * @throws ProviderUnavailableError, InvalidStripeRequestError (e.g. a restricted account,
     * `balance_insufficient`).
     */
    async createTransfer(request: {
      orderId: string;
      amount: number;
      currency: string;
      destination: string;
      /**
       * The order's succeeded Charge: as the transfer's `source_transaction` it is made at once,
       * its funds available to the seller when the charge's are (no `balance_insufficient` while
       * the charge is pending), and Stripe refuses more than is left of that charge.
       */
      sourceTransaction?: string | null;
      /** Failed attempts so far: each retry after Stripe refused one needs a key of its own. */
      attempt?: number;
    }): Promise<TransferState> {
      const attempt = request.attempt ?? 0;
      const transfer = await call(() =>
        sdk().transfers.create(
          {
            amount: request.amount,
            currency: request.currency,
            destination: request.destination,
            transfer_group: request.orderId,
            ...(request.sourceTransaction ? { source_transaction: request.sourceTransaction } : {}),
            metadata: { orderId: request.orderId },
          },
          // Stripe replays a key's first answer, errors too: a refused transfer retried under the
          // same key would be refused for ever. A crash leaves `attempt` unchanged, so its retry
          // still gets the transfer that was made.
          {
            idempotencyKey:
              attempt === 0 ? `payout-${request.orderId}` : `payout-${request.orderId}-${attempt}`,
          },
        ),
      );
      return transferStateOf(transfer);
    },

    /**
     * Every transfer of an order's group, newest first: the payout's (one, by the idempotency
     * key) and any made outside this service (in Stripe's dashboard). Walks the list's pages.
     */
    async transfersOf(orderId: string): Promise<TransferState[]> {
      const transfers = await call(() =>
        sdk().transfers.list({ transfer_group: orderId, limit: 100 }).autoPagingToArray({ limit: listCap }),
      );
      return transfers.map(transferStateOf);
    },

    /** The PaymentIntent's last Charge (`latest_charge`), for a payment recorded before it was kept. */
    async chargeOf(intentId: string): Promise<string | null> {
      return stateOf(await call(() => sdk().paymentIntents.retrieve(intentId))).latestCharge;
    },

    async retrieveTransfer(transferId: string): Promise<TransferState> {
      return transferStateOf(await call(() => sdk().transfers.retrieve(transferId)));
    },

    /** Reverses the whole transfer, with the key `reversal-<orderId>`. */
    async reverseTransfer(request: {
      orderId: string;
      transferId: string;
    }): Promise<{ id: string; amount: number }> {
      const reversal = await call(() =>
        sdk().transfers.createReversal(
          request.transferId,
          { metadata: { orderId: request.orderId } },
          { idempotencyKey: `reversal-${request.orderId}` },
        ),
      );
      return { id: reversal.id, amount: reversal.amount };
    },

    /** What Stripe took for a PaymentIntent (`amount_received`), for the ledger's reconciliation. */
    async amountReceived(intentId: string): Promise<{ amount: number; currency: string }> {
      const intent = await call(() => sdk().paymentIntents.retrieve(intentId));
      return { amount: intent.amount_received, currency: intent.currency };
    },

    /** A refund's amount, for the ledger's reconciliation. */
    async retrieveRefund(refundId: string): Promise<{ id: string; amount: number; currency: string }> {
      const refund = await call(() => sdk().refunds.retrieve(refundId));
      return { id: refund.id, amount: refund.amount, currency: refund.currency };
    },

    /** Every refund of a PaymentIntent, newest first (one made in Stripe's dashboard included). */
    async refundsOf(intentId: string): Promise<RefundState[]> {
      const refunds = await call(() =>
        sdk().refunds.list({ payment_intent: intentId, limit: 100 }).autoPagingToArray({ limit: listCap }),
      );
      return refunds.map((refund) => ({
        id: refund.id,
        amount: refund.amount,
        currency: refund.currency,
        charge: idOf(refund.charge),
        status: refund.status,
      }));
    },

    /**
     * Verifies a webhook's signature on the raw body (default tolerance: 5 minutes) and parses it.
     * @throws Stripe's signature verification error for a forged, stale or unsigned body.
     */
    verifyWebhook(rawBody: Buffer, signature: string, secret: string): Stripe.Event {
      return sdk().webhooks.constructEvent(rawBody, signature, secret);
    },
  };
}

/** The Stripe calls of the payments service. */
export type StripeGateway = ReturnType<typeof createStripeGateway>;
