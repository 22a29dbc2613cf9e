import { z } from 'zod';

/** Every ISO 4217 code this runtime knows, lower-cased as Stripe writes them. */
export const supportedCurrencies: ReadonlySet<string> = new Set(
  Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()),
);

/** A currency as clients send it: an ISO 4217 code in any case, answered lower-cased (`USD` → `usd`). */
export const currencyInputSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, 'Currency must be a three-letter ISO 4217 code')
  .transform((code) => code.toLowerCase())
  .refine((code) => supportedCurrencies.has(code), 'Currency is not a known ISO 4217 code')
  .meta({
    example: 'usd',
    // The document lists exactly the codes the refine above lets through.
    enum: [...supportedCurrencies].sort(),
    description: 'ISO 4217 code, listed lower-case; any case is accepted, and stored and answered lower-case',
  });
