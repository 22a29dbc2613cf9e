import type { PaymentsDb } from '../db/db';
import type { SaleRow, SellerAccountStatus } from '../db/schema';
import { AppError } from '@glotixz/common/errors';
import { ProviderUnavailableError, type StripeGateway } from '../stripe/stripe.gateway';
import { accountsRepo } from './accounts.repo';
import type { AccountStatus, SaleView, SalesList } from './payouts.schemas';
import { salesRepo } from './sales.repo';

/** What {@link createPayoutsService} needs. */
export interface PayoutsServiceDeps {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'createAccount' | 'createAccountLink'>;
  /** Where the site is; onboarding returns to `/my/earnings` on it. */
  publicUrl: string;
}

/** Sales listed per request (newest first). */
const listLimit = 200;

/**
 * The status of a connected account from Stripe's Account: enabled when transfers are active and
 * payouts enabled, restricted when Stripe disabled it, pending otherwise.
 */
export function accountStatusOf(account: {
  payouts_enabled?: boolean | null;
  capabilities?: { transfers?: string | null } | null;
  requirements?: { disabled_reason?: string | null } | null;
}): SellerAccountStatus {
  if (account.capabilities?.transfers === 'active' && account.payouts_enabled) return 'enabled';
  if (account.requirements?.disabled_reason) return 'restricted';
  return 'pending';
}

function viewOf(sale: SaleRow, accountEnabled: boolean): SaleView {
  const status = sale.status === 'scheduled' && !accountEnabled ? 'pending' : sale.status;
  const view: SaleView = {
    orderId: sale.orderId,
    title: sale.title,
    gross: sale.gross,
    fee: sale.fee,
    net: sale.net,
    currency: sale.currency,
    status,
    transferAt: sale.transferAt.toISOString(),
  };
  if (sale.paidAt) view.paidAt = sale.paidAt.toISOString();
  if (sale.lastError && sale.status === 'failed') view.lastError = sale.lastError;
  return view;
}

/** The seller-facing payout rules. */
export function createPayoutsService({ db, stripe, publicUrl }: PayoutsServiceDeps) {
  const earnings = new URL('/my/earnings', publicUrl).toString();

  /**
   * The seller's onboarding link: their one Express account is created first if they have none
   * (outside any transaction; the key `account-<userId>` makes a repeat answer the same account).
   */
  async function onboard(userId: string): Promise<{ onboardingUrl: string }> {
    const account =
      (await accountsRepo.find(db, userId)) ??
      (await accountsRepo.insert(db, userId, (await stripe.createAccount(userId)).id));
    const link = await stripe.createAccountLink({
      accountId: account.stripeAccountId,
      returnUrl: `${earnings}?onboarding=done`,
      refreshUrl: `${earnings}?onboarding=refresh`,
    });
    return { onboardingUrl: link.url };
  }

  return {
    async startOnboarding(userId: string): Promise<{ onboardingUrl: string }> {
      try {
        return await onboard(userId);
      } catch (err) {
        if (err instanceof ProviderUnavailableError) {
          throw new AppError(
            'PAYMENT_PROVIDER_UNAVAILABLE',
            'The payment provider is unavailable; try again shortly',
          );
        }
        throw err;
      }
    },

    async accountStatus(userId: string): Promise<{ status: AccountStatus }> {
      const account = await accountsRepo.find(db, userId);
      return { status: account?.status ?? 'none' };
    },

    async sales(sellerId: string): Promise<SalesList> {
      const [account, rows] = await Promise.all([
        accountsRepo.find(db, sellerId),
        salesRepo.listForSeller(db, sellerId, listLimit),
      ]);
      const items = rows.map((row) => viewOf(row, account?.status === 'enabled'));
      const totals: SalesList['totals'] = {};
      for (const item of items) {
        const total = (totals[item.currency] ??= { pending: 0, scheduled: 0, paid: 0 });
        if (item.status === 'pending' || item.status === 'scheduled' || item.status === 'paid') {
          total[item.status] += item.net;
        } else if (item.status === 'failed') {
          total.scheduled += item.net;
        }
      }
      return { items, totals };
    },
  };
}

/** The payout rules. */
export type PayoutsService = ReturnType<typeof createPayoutsService>;
