import { z } from 'zod';
import { route, type ApiRequest, type ApiRoute } from '../server/api-route';
import {
  boolean,
  hash,
  initialMetadata,
  metadata,
  nullableString,
  oneOf,
  parseParams,
  string,
} from '../server/params';
import { invalidParam } from '../server/stripe-error';
import type { CapabilityName } from './account.object';
import type { AccountsService } from './accounts.service';

/**
 * `POST /v1/accounts`, `GET/POST /v1/accounts/:id`, `POST /v1/account_links`, and the
 * sandbox-only `POST /v1/test_helpers/accounts/:id/{complete_onboarding,restrict}`.
 */
export function accountRoutes(accounts: AccountsService): ApiRoute[] {
  return [
    route('post', '/accounts', (req) => createAccount(accounts, req)),
    route('get', '/accounts/:id', (req) => retrieveAccount(accounts, req)),
    route('post', '/accounts/:id', (req) => updateAccount(accounts, req)),
    route('post', '/account_links', (req) => createAccountLink(accounts, req)),
    route('post', '/test_helpers/accounts/:id/complete_onboarding', ({ params, body, ctx }) => {
      parseParams(z.strictObject({}), body);
      return accounts.completeOnboarding(ctx, params.id!);
    }),
    route('post', '/test_helpers/accounts/:id/restrict', ({ params, body, ctx }) => {
      parseParams(z.strictObject({}), body);
      return accounts.restrict(ctx, params.id!);
    }),
  ];
}

const capability = () => hash({ requested: boolean({ required: true }) });
const BusinessProfileParams = hash({
  mcc: string(),
  name: string(),
  product_description: string(),
  support_email: string(),
  url: string(),
});

const CreateParams = z.strictObject({
  type: oneOf(['custom', 'express', 'standard']),
  country: string(),
  email: string(),
  business_type: oneOf(['company', 'government_entity', 'individual', 'non_profit']),
  business_profile: BusinessProfileParams,
  capabilities: hash({ card_payments: capability(), transfers: capability() }),
  default_currency: string(),
  metadata: metadata(),
});
const UpdateParams = z.strictObject({
  email: nullableString(),
  business_profile: BusinessProfileParams,
  metadata: metadata(),
});
const LinkParams = z.strictObject({
  account: string({ required: true }),
  type: oneOf(['account_onboarding', 'account_update'], { required: true }),
  refresh_url: string(),
  return_url: string(),
  collect: oneOf(['currently_due', 'eventually_due']),
  collection_options: hash({
    fields: oneOf(['currently_due', 'eventually_due']),
    future_requirements: oneOf(['include', 'omit']),
  }),
});
const CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()));

function createAccount(accounts: AccountsService, { body }: ApiRequest): unknown {
  const params = parseParams(CreateParams, body);
  if (params.type !== undefined && params.type !== 'express') {
    throw invalidParam('type', `The sandbox models Express accounts only; got type=${params.type}.`);
  }
  if (params.type === undefined) {
    throw invalidParam(
      'type',
      'You must specify a type (or a controller) when creating an account: the sandbox supports type=express.',
      'parameter_missing',
    );
  }
  const country = (params.country ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) {
    throw invalidParam(
      'country',
      `Country '${params.country}' is unknown. Try using a 2-character alphanumeric country code instead, such as 'US', 'EG', or 'GB'.`,
    );
  }
  const currency = params.default_currency?.toLowerCase();
  if (currency !== undefined && !CURRENCIES.has(currency)) {
    throw invalidParam('default_currency', `Invalid currency: ${currency}.`);
  }
  const requested = params.capabilities
    ? (Object.entries(params.capabilities) as [CapabilityName, { requested: boolean } | undefined][])
        .filter(([, value]) => value?.requested)
        .map(([name]) => name)
    : // Without `capabilities`, an Express account gets the platform's default ones.
      (['card_payments', 'transfers'] as CapabilityName[]);
  return accounts.create({
    country,
    email: params.email,
    capabilities: requested,
    businessType: params.business_type,
    businessProfile: params.business_profile ?? {},
    defaultCurrency: currency,
    metadata: initialMetadata(params.metadata),
  });
}

function retrieveAccount(accounts: AccountsService, { params: path, query }: ApiRequest): unknown {
  parseParams(z.strictObject({}), query);
  return accounts.retrieve(path.id!);
}

function updateAccount(accounts: AccountsService, { params: path, body, ctx }: ApiRequest): unknown {
  const params = parseParams(UpdateParams, body);
  return accounts.update(ctx, path.id!, {
    email: params.email,
    businessProfile: params.business_profile ?? {},
    metadata: params.metadata,
  });
}

function checkUrl(param: string, value: string | undefined): string {
  if (value === undefined)
    throw invalidParam(param, `Missing required param: ${param}.`, 'parameter_missing');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidParam(param, 'Not a valid URL', 'url_invalid');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidParam(param, 'Not a valid URL', 'url_invalid');
  }
  return value;
}

function createAccountLink(accounts: AccountsService, { body }: ApiRequest): unknown {
  const params = parseParams(LinkParams, body);
  if (params.type === 'account_update') {
    throw invalidParam(
      'type',
      'You cannot create `account_update` type Account Links for Express accounts; use `account_onboarding`.',
    );
  }
  const refreshUrl = checkUrl('refresh_url', params.refresh_url);
  const returnUrl = checkUrl('return_url', params.return_url);
  return accounts.createLink({ account: params.account, returnUrl, refreshUrl });
}
