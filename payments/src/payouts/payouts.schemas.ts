import { z } from 'zod';

/** `POST /api/payouts/account` answer. */
export const onboardingSchema = z
  .object({
    onboardingUrl: z.url().meta({
      description:
        "Stripe's hosted onboarding for the seller's connected account; single-use, send the browser there.",
    }),
  })
  .meta({ id: 'PayoutOnboarding' });

export const accountStatuses = ['none', 'pending', 'enabled', 'restricted'] as const;

/** `GET /api/payouts/account` answer. */
export const accountStatusSchema = z
  .object({
    status: z.enum(accountStatuses).meta({
      description:
        '`none`: no connected account yet; `pending`: onboarding not finished; `enabled`: transfers ' +
        'and payouts active; `restricted`: Stripe disabled the account until more is provided.',
    }),
  })
  .meta({ id: 'PayoutAccount' });

export const saleViewStatuses = ['pending', 'scheduled', 'paid', 'reversed', 'failed'] as const;

/** One sale as its seller sees it. */
export const saleViewSchema = z
  .object({
    orderId: z.uuid(),
    title: z.string().nullable(),
    gross: z.number().int().meta({ description: 'What the buyer was charged, in minor units' }),
    fee: z.number().int().meta({ description: "The platform's fee, in minor units" }),
    net: z
      .number()
      .int()
      .meta({ description: 'What the seller receives (the listed price), in minor units' }),
    currency: z.string().meta({ example: 'usd' }),
    status: z.enum(saleViewStatuses).meta({
      description:
        '`pending`: sold, but the seller has no enabled payout account yet; `scheduled`: will be ' +
        'transferred at `transferAt`; `paid`: transferred; `reversed`: refunded to the buyer (a ' +
        'transfer made is reversed); `failed`: the last transfer failed (`lastError`), retried later.',
    }),
    transferAt: z.iso.datetime(),
    paidAt: z.iso.datetime().optional(),
    lastError: z.string().optional(),
  })
  .meta({ id: 'Sale' });

const totalsSchema = z.object({
  pending: z.number().int(),
  scheduled: z.number().int(),
  paid: z.number().int(),
});

/** `GET /api/payouts` answer. */
export const salesListSchema = z
  .object({
    items: z.array(saleViewSchema),
    totals: z.record(z.string(), totalsSchema).meta({ description: 'Net amounts per currency' }),
  })
  .meta({ id: 'Sales' });

export type SaleView = z.infer<typeof saleViewSchema>;
export type SalesList = z.infer<typeof salesListSchema>;
export type AccountStatus = (typeof accountStatuses)[number];
