/** The most Stripe charges in one payment, in minor units of any currency: eight digits. */
export const stripeMaxAmount = 99_999_999;

/**
 * Stripe's smallest charge per currency, in minor units (cents; yen for `jpy`), from its table of
 * minimum charge amounts (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
 * These are the currencies the marketplace accepts: for any other, Stripe's minimum depends on an
 * exchange rate, so no price could be checked before it is charged.
 */
export const stripeMinAmounts = {
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
  usd: 50,
} as const satisfies Record<string, number>;

/** A currency the marketplace accepts (lowercase ISO 4217, as Stripe writes it). */
export type ChargeCurrency = keyof typeof stripeMinAmounts;

/** Every currency the marketplace accepts, in alphabetical order. */
export const chargeCurrencies = Object.keys(stripeMinAmounts) as ChargeCurrency[];

/** The amounts Stripe accepts for one charge in a currency, inclusive, in minor units. */
export interface AmountLimits {
  min: number;
  max: number;
}

/** Whether `currency` is one the marketplace accepts. */
export function isChargeCurrency(currency: string): currency is ChargeCurrency {
  return Object.hasOwn(stripeMinAmounts, currency);
}

/** Stripe's limits for a charge in `currency`; `undefined` for a currency the marketplace does not accept. */
export function amountLimits(currency: string): AmountLimits | undefined {
  return isChargeCurrency(currency) ? { min: stripeMinAmounts[currency], max: stripeMaxAmount } : undefined;
}
