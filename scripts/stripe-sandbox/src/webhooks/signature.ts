import { createHmac } from 'node:crypto';

/**
 * The `Stripe-Signature` header for a webhook body, computed as Stripe does: an HMAC-SHA256 of
 * `"<timestamp>.<raw body>"` keyed with the endpoint's signing secret, hex-encoded, sent as
 * `t=<timestamp>,v1=<signature>`.
 */
export function signatureHeader(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
