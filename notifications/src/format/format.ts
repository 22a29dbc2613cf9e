/**
 * How emails write money and time. Money is an integer of minor units and a lower-case ISO 4217
 * currency (as Stripe writes it); times are ISO 8601 UTC instants.
 */

/** Amounts as every page and email writes them. */
export { formatMoney } from '@glotixz/common/format';

/** Instants in UTC or the venue's zone, worded as on the e-ticket. */
export { formatInstant } from '@glotixz/common/etickets';
