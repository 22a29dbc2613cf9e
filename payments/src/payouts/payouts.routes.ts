import { defineRoute, type AuthedRequest } from '@glotixz/common/express';
import type { Response } from 'express';
import { accountStatusSchema, onboardingSchema, salesListSchema } from './payouts.schemas';
import type { PayoutsService } from './payouts.service';

const tags = ['payouts'];

/** The seller's payout routes: the table first, handlers below. */
export function payoutsRoutes(payouts: PayoutsService) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/payouts/account',
      operationId: 'startPayoutOnboarding',
      summary: 'Set up my payout account',
      description:
        "Creates the seller's Stripe Express connected account once, and answers a fresh single-use " +
        'onboarding link; Stripe sends the browser back to `/my/earnings?onboarding=done` (or ' +
        '`?onboarding=refresh` when the link expired: ask again).',
      tags,
      auth: 'required',
      responses: { 200: { description: 'The onboarding link', schema: onboardingSchema } },
      errors: ['PAYMENT_PROVIDER_UNAVAILABLE'],
      handler: startOnboarding,
    }),
    defineRoute({
      method: 'get',
      path: '/api/payouts/account',
      operationId: 'getPayoutAccount',
      summary: 'The status of my payout account',
      tags,
      auth: 'required',
      responses: { 200: { description: 'The status', schema: accountStatusSchema } },
      errors: [],
      handler: getAccount,
    }),
    defineRoute({
      method: 'get',
      path: '/api/payouts',
      operationId: 'listSales',
      summary: 'My sales and their payouts',
      description:
        "The signed-in seller's sales, newest first (at most 200): gross (what the buyer paid), fee, " +
        'net (the listed price, what the seller receives) and the payout status, with net totals per ' +
        'currency (a failed payout counts as scheduled: it is retried).',
      tags,
      auth: 'required',
      responses: { 200: { description: 'The sales', schema: salesListSchema } },
      errors: [],
      handler: listSales,
    }),
  ];

  async function startOnboarding(
    req: AuthedRequest<undefined, undefined, undefined>,
    res: Response,
  ): Promise<void> {
    res.json(await payouts.startOnboarding(req.currentUser.id));
  }

  async function getAccount(
    req: AuthedRequest<undefined, undefined, undefined>,
    res: Response,
  ): Promise<void> {
    res.json(await payouts.accountStatus(req.currentUser.id));
  }

  async function listSales(
    req: AuthedRequest<undefined, undefined, undefined>,
    res: Response,
  ): Promise<void> {
    res.json(await payouts.sales(req.currentUser.id));
  }
}
