/**
 * `@glotixz/stripe-sandbox`: a local stand-in for the part of Stripe's API Glotixz uses, spoken in
 * Stripe's wire format so the real `stripe` SDK can talk to it, with signed webhooks.
 */
export { startStripeSandbox } from './sandbox';
export type { StripeSandbox, StripeSandboxOptions, WebhookDelivery } from './sandbox';
export { testPaymentMethodIds } from './payment-methods/test-cards';
