import { randomToken, unixNow } from '../server/ids';
import { mergeMetadata, type Metadata, type MetadataUpdate } from '../server/params';
import type { RequestContext } from '../server/request-context';
import { StripeApiError, resourceMissing } from '../server/stripe-error';
import type { EventLog } from '../webhooks/event-log';
import {
  enable,
  newAccount,
  restrict,
  type AccountObject,
  type BusinessProfile,
  type CapabilityName,
} from './account.object';

/** `POST /v1/accounts` once parsed. */
export interface CreateAccountInput {
  country: string;
  email?: string;
  capabilities: CapabilityName[];
  businessType?: AccountObject['business_type'];
  businessProfile: Partial<BusinessProfile>;
  defaultCurrency?: string;
  metadata: Metadata;
}

/** `POST /v1/accounts/:id` once parsed. */
export interface UpdateAccountInput {
  email?: string | null;
  businessProfile: Partial<BusinessProfile>;
  metadata?: MetadataUpdate;
}

/** The Account Link object of `POST /v1/account_links`. */
export interface AccountLinkObject {
  object: 'account_link';
  created: number;
  expires_at: number;
  url: string;
}

/** A link as the sandbox keeps it: where it leads back to, and whether it was used. */
export interface AccountLinkRecord {
  token: string;
  account: string;
  link: AccountLinkObject;
  returnUrl: string;
  refreshUrl: string;
  /** Set when the page was first opened: the link is single use. */
  visitedAt?: number;
  /** Set when the form was submitted. */
  submittedAt?: number;
}

/** What the hosted onboarding page does with a link (see {@link AccountsService.openLink}). */
export type LinkVisit =
  | { kind: 'unknown' }
  | { kind: 'refresh'; url: string }
  | { kind: 'form'; record: AccountLinkRecord; account: AccountObject };

/** What the onboarding form can do: finish onboarding, or (sandbox only) get the account restricted. */
export type OnboardingAction = 'complete' | 'restrict';

/** How long an account link can be opened, as on Stripe: a few minutes. */
export const ACCOUNT_LINK_TTL_SECONDS = 300;

/**
 * Connected Express accounts and their onboarding: account links are single-use URLs of the
 * sandbox's hosted onboarding page, valid for {@link ACCOUNT_LINK_TTL_SECONDS}; an expired or
 * already opened link sends the visitor to its `refresh_url`, as Stripe's do.
 */
export class AccountsService {
  private readonly accounts = new Map<string, AccountObject>();
  private readonly links = new Map<string, AccountLinkRecord>();

  constructor(
    private readonly events: EventLog,
    private readonly options: { baseUrl: () => string; linkTtlSeconds: number },
  ) {}

  /** `POST /v1/accounts` (type `express`). */
  create(input: CreateAccountInput): AccountObject {
    const account = newAccount({
      country: input.country,
      email: input.email ?? null,
      capabilities: input.capabilities,
      businessType: input.businessType ?? null,
      businessProfile: input.businessProfile,
      defaultCurrency: input.defaultCurrency,
      metadata: input.metadata,
    });
    this.accounts.set(account.id, account);
    return account;
  }

  /** The live account, if it exists. */
  find(id: string): AccountObject | undefined {
    return this.accounts.get(id);
  }

  /** `GET /v1/accounts/:id`; Stripe answers 403 for an account the platform cannot see. */
  retrieve(id: string): AccountObject {
    const account = this.accounts.get(id);
    if (!account) throw noAccess(id);
    return account;
  }

  /** `POST /v1/accounts/:id`: fires `account.updated`. */
  update(ctx: RequestContext, id: string, input: UpdateAccountInput): AccountObject {
    const account = this.retrieve(id);
    if (input.email !== undefined) account.email = input.email;
    account.business_profile = { ...account.business_profile, ...input.businessProfile };
    if (input.metadata) account.metadata = mergeMetadata(account.metadata, input.metadata);
    this.events.record(ctx, 'account.updated', account, account.id);
    return account;
  }

  /** `POST /v1/account_links` (type `account_onboarding`). */
  createLink(input: { account: string; returnUrl: string; refreshUrl: string }): AccountLinkObject {
    const account = this.accounts.get(input.account);
    if (!account) throw resourceMissing('account', input.account, 'account', 400);
    const token = randomToken(12);
    const created = unixNow();
    const link: AccountLinkObject = {
      object: 'account_link',
      created,
      expires_at: created + this.options.linkTtlSeconds,
      url: `${this.options.baseUrl()}/setup/e/${account.id}/${token}`,
    };
    this.links.set(token, {
      token,
      account: account.id,
      link,
      returnUrl: input.returnUrl,
      refreshUrl: input.refreshUrl,
    });
    return link;
  }

  /** The page was opened: the first visit of a live link shows the form; any other goes to refresh_url. */
  openLink(accountId: string, token: string): LinkVisit {
    const record = this.links.get(token);
    const account = this.accounts.get(accountId);
    if (!record || !account || record.account !== accountId) return { kind: 'unknown' };
    if (record.visitedAt !== undefined || unixNow() >= record.link.expires_at) {
      return { kind: 'refresh', url: record.refreshUrl };
    }
    record.visitedAt = unixNow();
    return { kind: 'form', record, account };
  }

  /**
   * The form was submitted: the account is enabled (or restricted), `account.updated` fires, and
   * the visitor goes to return_url. A link never opened, or submitted before, goes to refresh_url.
   */
  submitLink(
    ctx: RequestContext,
    accountId: string,
    token: string,
    action: OnboardingAction,
    visitor: { ip: string | null; userAgent: string | null },
  ): { kind: 'unknown' } | { kind: 'redirect'; url: string } {
    const record = this.links.get(token);
    const account = this.accounts.get(accountId);
    if (!record || !account || record.account !== accountId) return { kind: 'unknown' };
    if (record.visitedAt === undefined || record.submittedAt !== undefined) {
      return { kind: 'redirect', url: record.refreshUrl };
    }
    record.submittedAt = unixNow();
    if (action === 'complete') this.completeOnboarding(ctx, accountId, visitor);
    else this.restrict(ctx, accountId);
    return { kind: 'redirect', url: record.returnUrl };
  }

  /** Enables the account as finished onboarding does; fires `account.updated`. */
  completeOnboarding(
    ctx: RequestContext,
    id: string,
    visitor: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null },
  ): AccountObject {
    const account = this.retrieve(id);
    enable(account, visitor);
    this.events.record(ctx, 'account.updated', account, account.id);
    return account;
  }

  /** Restricts the account (a verification document is past due); fires `account.updated`. */
  restrict(ctx: RequestContext, id: string): AccountObject {
    const account = this.retrieve(id);
    restrict(account);
    this.events.record(ctx, 'account.updated', account, account.id);
    return account;
  }

  /** Every account, oldest first. */
  all(): AccountObject[] {
    return [...this.accounts.values()];
  }
}

/** Stripe's answer for an account id the platform has no access to (or that does not exist). */
function noAccess(id: string): StripeApiError {
  return new StripeApiError(403, {
    type: 'invalid_request_error',
    code: 'account_invalid',
    message:
      `The provided key does not have access to account '${id}' (or that account does not exist). ` +
      'Application access may have been revoked.',
    param: 'account',
  });
}
