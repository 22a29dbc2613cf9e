import { chargeCurrencies, isChargeCurrency } from '@glotixz/common/events';
import { z } from 'zod';

/**
 * The currencies a ticket may be priced in, lower-cased as Stripe writes them: those whose
 * charge limits Stripe documents (see `amountLimits` in `@glotixz/common/events`).
 */
export const supportedCurrencies: ReadonlySet<string> = new Set(chargeCurrencies);

/** A currency as clients send it: an ISO 4217 code in any case, answered lower-cased (`USD` → `usd`). */
export const currencyInputSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, 'Currency must be a three-letter ISO 4217 code')
  .transform((code) => code.toLowerCase())
  .refine(isChargeCurrency, `Currency must be one of ${chargeCurrencies.join(', ')}`)
  .meta({
    example: 'usd',
    // The document lists exactly the codes the refine above lets through.
    enum: [...chargeCurrencies].sort(),
    description: 'ISO 4217 code, listed lower-case; any case is accepted, and stored and answered lower-case',
  });
