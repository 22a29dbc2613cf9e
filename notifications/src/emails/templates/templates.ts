import { formatInstant, formatMoney } from '../../format/format';
import type { EmailContent } from './layout';

/** The emails the service sends, by the name that keys them with their event (`emails.template`). */
export const templateNames = [
  'reservation-held',
  'receipt',
  'ticket-sold',
  'order-expired',
  'refund-issued',
  'password-reset',
] as const;
export type TemplateName = (typeof templateNames)[number];

/** Where links point: the public origin of the web client, without a trailing slash. */
export interface LinkBase {
  publicUrl: string;
}

const priceOf = (price?: number, currency?: string) =>
  price !== undefined && currency ? formatMoney(price, currency) : undefined;

const titleOf = (title?: string) => title ?? 'your ticket';

function lines(...parts: (string | false | undefined)[]): string {
  return parts.filter((part): part is string => typeof part === 'string').join('\n') + '\n';
}

/** `order.created`: the ticket is held for the buyer until `expiresAt`. */
export function reservationHeld(
  { publicUrl }: LinkBase,
  order: { id: string; expiresAt: string; title?: string; price: number; currency: string },
): EmailContent {
  const title = titleOf(order.title);
  const price = formatMoney(order.price, order.currency);
  const payBy = formatInstant(order.expiresAt);
  const url = `${publicUrl}/orders/${order.id}`;
  return {
    subject: `Reserved: ${title} — pay by ${payBy}`,
    heading: `We are holding ${title} for you`,
    paragraphs: [
      `Pay by ${payBy} to make it yours. After that the reservation ends and the ticket goes back on sale.`,
    ],
    facts: [
      ['Ticket', title],
      ['Price', price],
      ['Pay by', payBy],
    ],
    action: { label: 'Pay now', url },
    text: lines(
      `We are holding ${title} for you.`,
      '',
      `Price: ${price}`,
      `Pay by ${payBy} to make it yours. After that the reservation ends and the ticket goes back on sale.`,
      '',
      `Pay now: ${url}`,
    ),
  };
}

/** `order.completed`, to the buyer: the receipt; the e-ticket travels as attachments. */
export function receipt(
  { publicUrl }: LinkBase,
  order: {
    id: string;
    title?: string;
    price?: number;
    /** The platform fee and what was charged; absent from orders placed before fees. */
    fee?: number;
    total?: number;
    currency?: string;
    eventName?: string;
    startsAt?: string;
    timezone?: string;
    hasETicket: boolean;
  },
): EmailContent {
  const title = titleOf(order.title);
  const withFee = order.fee !== undefined && order.fee > 0 && order.total !== undefined;
  const price = priceOf(withFee ? order.total : order.price, order.currency);
  const ticketPrice = withFee ? priceOf(order.price, order.currency) : undefined;
  const fee = withFee ? priceOf(order.fee, order.currency) : undefined;
  const when = order.startsAt ? formatInstant(order.startsAt, order.timezone) : undefined;
  const url = `${publicUrl}/orders/${order.id}/ticket`;
  const ticketLine = order.hasETicket
    ? 'Your e-ticket is attached (PDF, with the QR code to show at the door), with a calendar entry.'
    : 'Your e-ticket is on its way: open your order to see it.';
  return {
    subject: `Your receipt and e-ticket: ${title}`,
    heading: 'Thank you, your order is paid',
    paragraphs: [ticketLine, `Order ${order.id}`],
    facts: [
      ['Ticket', title],
      ...(order.eventName ? ([['Event', order.eventName]] as [string, string][]) : []),
      ...(when ? ([['When', when]] as [string, string][]) : []),
      ...(ticketPrice ? ([['Price', ticketPrice]] as [string, string][]) : []),
      ...(fee ? ([['Fee', fee]] as [string, string][]) : []),
      ...(price ? ([['Paid', price]] as [string, string][]) : []),
    ],
    action: { label: 'Open your ticket', url },
    text: lines(
      'Thank you, your order is paid.',
      '',
      `Ticket: ${title}`,
      order.eventName && `Event: ${order.eventName}`,
      when && `When: ${when}`,
      ticketPrice && `Price: ${ticketPrice}`,
      fee && `Fee: ${fee}`,
      price && `Paid: ${price}`,
      `Order: ${order.id}`,
      '',
      ticketLine,
      `Open your ticket: ${url}`,
    ),
  };
}

/** `order.completed`, to the seller: their ticket sold. */
export function ticketSold(
  { publicUrl }: LinkBase,
  sale: { title?: string; price?: number; currency?: string },
): EmailContent {
  const title = titleOf(sale.title);
  const price = priceOf(sale.price, sale.currency);
  const url = `${publicUrl}/my/listings`;
  return {
    subject: `Sold: ${title}`,
    heading: 'Your ticket sold',
    paragraphs: [price ? `A buyer paid ${price} for ${title}.` : `A buyer paid for ${title}.`],
    action: { label: 'Your listings', url },
    text: lines(
      'Your ticket sold.',
      '',
      price ? `A buyer paid ${price} for ${title}.` : `A buyer paid for ${title}.`,
      '',
      `Your listings: ${url}`,
    ),
  };
}

/** `order.cancelled` with reason `expired`: the reservation ran out unpaid. */
export function orderExpired({ publicUrl }: LinkBase, order: { title?: string }): EmailContent {
  const title = titleOf(order.title);
  const url = `${publicUrl}/`;
  const body = `Your reservation of ${title} ended before it was paid, so the ticket is back on sale. Nothing was charged.`;
  return {
    subject: `Reservation expired: ${title}`,
    heading: 'Your reservation expired',
    paragraphs: [body],
    action: { label: 'Browse tickets', url },
    text: lines('Your reservation expired.', '', body, '', `Browse tickets: ${url}`),
  };
}

/** `payment.refunded`: the buyer's money is on its way back. */
export function refundIssued(
  { publicUrl }: LinkBase,
  refund: { orderId: string; amount: number; currency: string },
): EmailContent {
  const amount = formatMoney(refund.amount, refund.currency);
  const url = `${publicUrl}/orders/${refund.orderId}`;
  const body = `We refunded ${amount} for order ${refund.orderId}. Depending on your bank it shows on your statement within 5 to 10 days. The order's e-ticket no longer admits.`;
  return {
    subject: `Refund issued: ${amount}`,
    heading: 'Your refund is on its way',
    paragraphs: [body],
    facts: [['Refunded', amount]],
    action: { label: 'Open the order', url },
    text: lines('Your refund is on its way.', '', body, '', `Open the order: ${url}`),
  };
}

/** `user.password-reset-requested`: the single-use link, and until when it works. */
export function passwordReset(
  { publicUrl }: LinkBase,
  reset: { token: string; expiresAt: string },
): EmailContent {
  const url = `${publicUrl}/reset-password?token=${encodeURIComponent(reset.token)}`;
  const until = formatInstant(reset.expiresAt);
  const body = `Someone (hopefully you) asked to reset the password of your Glotixz account. The link works once, until ${until}.`;
  const ignore = 'If you did not ask for it, ignore this email: your password stays as it is.';
  return {
    subject: 'Reset your Glotixz password',
    heading: 'Reset your password',
    paragraphs: [body, ignore],
    action: { label: 'Choose a new password', url },
    text: lines('Reset your password.', '', body, '', `Choose a new password: ${url}`, '', ignore),
  };
}
