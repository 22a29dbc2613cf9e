import { newId, unixNow } from '../server/ids';
import type { Metadata } from '../server/params';

/** A capability's status, as Stripe reports it in `capabilities`. */
export type CapabilityStatus = 'active' | 'inactive' | 'pending';

/** The capabilities the sandbox lets an account request. */
export type CapabilityName = 'card_payments' | 'transfers';

/** `requirements` / `future_requirements` of an Account. */
export interface AccountRequirements {
  alternatives: never[];
  current_deadline: number | null;
  currently_due: string[];
  disabled_reason: string | null;
  errors: never[];
  eventually_due: string[];
  past_due: string[];
  pending_verification: string[];
}

/** The business details a platform may set on an account. */
export interface BusinessProfile {
  mcc: string | null;
  name: string | null;
  product_description: string | null;
  support_email: string | null;
  url: string | null;
}

/** An Account (a connected account) as Stripe's API returns it (the fields the sandbox models). */
export interface AccountObject {
  id: string;
  object: 'account';
  business_profile: BusinessProfile;
  business_type: 'individual' | 'company' | 'non_profit' | 'government_entity' | null;
  capabilities: Partial<Record<CapabilityName, CapabilityStatus>>;
  charges_enabled: boolean;
  controller: {
    fees: { payer: 'application_express' };
    is_controller: true;
    losses: { payments: 'application' };
    requirement_collection: 'stripe';
    stripe_dashboard: { type: 'express' };
    type: 'application';
  };
  country: string;
  created: number;
  default_currency: string;
  details_submitted: boolean;
  email: string | null;
  external_accounts: { object: 'list'; data: never[]; has_more: false; total_count: 0; url: string };
  future_requirements: AccountRequirements;
  livemode: false;
  metadata: Metadata;
  payouts_enabled: boolean;
  requirements: AccountRequirements;
  settings: {
    dashboard: { display_name: string | null; timezone: string };
    payouts: {
      debit_negative_balances: boolean;
      schedule: { delay_days: number; interval: 'daily' };
      statement_descriptor: null;
    };
  };
  tos_acceptance: { date: number | null; ip: string | null; user_agent: string | null };
  type: 'express';
}

/** What Stripe asks of a new individual Express account before it can be paid. */
const ONBOARDING_REQUIREMENTS = [
  'business_profile.mcc',
  'business_profile.url',
  'business_type',
  'external_account',
  'individual.address.city',
  'individual.address.line1',
  'individual.address.postal_code',
  'individual.dob.day',
  'individual.dob.month',
  'individual.dob.year',
  'individual.email',
  'individual.first_name',
  'individual.last_name',
  'individual.phone',
  'tos_acceptance.date',
  'tos_acceptance.ip',
];

/** What a restricted account must still provide (the sandbox's restriction: a verification document). */
const RESTRICTION_REQUIREMENTS = ['individual.verification.document'];

/** Requirements listing `due` as currently due and past due (disabled when any), or none at all. */
export function requirementsOf(due: readonly string[]): AccountRequirements {
  return {
    alternatives: [],
    current_deadline: null,
    currently_due: [...due],
    disabled_reason: due.length > 0 ? 'requirements.past_due' : null,
    errors: [],
    eventually_due: [...due],
    past_due: [...due],
    pending_verification: [],
  };
}

const noFutureRequirements = (): AccountRequirements => ({ ...requirementsOf([]), disabled_reason: null });

/** The default currency of the countries the sandbox knows; others settle in usd. */
const COUNTRY_CURRENCY: Record<string, string> = {
  AT: 'eur',
  AU: 'aud',
  BE: 'eur',
  CA: 'cad',
  CH: 'chf',
  DE: 'eur',
  DK: 'dkk',
  ES: 'eur',
  FI: 'eur',
  FR: 'eur',
  GB: 'gbp',
  HU: 'huf',
  IE: 'eur',
  IT: 'eur',
  JP: 'jpy',
  NL: 'eur',
  NO: 'nok',
  NZ: 'nzd',
  PL: 'pln',
  PT: 'eur',
  SE: 'sek',
  US: 'usd',
};

/** The default currency of an account in `country`. */
export function currencyOf(country: string): string {
  return COUNTRY_CURRENCY[country] ?? 'usd';
}

/** A new Express account, as Stripe creates it: nothing submitted, every capability inactive. */
export function newAccount(fields: {
  country: string;
  email: string | null;
  capabilities: CapabilityName[];
  businessType: AccountObject['business_type'];
  businessProfile: Partial<BusinessProfile>;
  defaultCurrency: string | undefined;
  metadata: Metadata;
}): AccountObject {
  const id = newId('acct');
  return {
    id,
    object: 'account',
    business_profile: {
      mcc: null,
      name: null,
      product_description: null,
      support_email: null,
      url: null,
      ...fields.businessProfile,
    },
    business_type: fields.businessType,
    capabilities: Object.fromEntries(fields.capabilities.map((name) => [name, 'inactive'])),
    charges_enabled: false,
    controller: {
      fees: { payer: 'application_express' },
      is_controller: true,
      losses: { payments: 'application' },
      requirement_collection: 'stripe',
      stripe_dashboard: { type: 'express' },
      type: 'application',
    },
    country: fields.country,
    created: unixNow(),
    default_currency: fields.defaultCurrency ?? currencyOf(fields.country),
    details_submitted: false,
    email: fields.email,
    external_accounts: {
      object: 'list',
      data: [],
      has_more: false,
      total_count: 0,
      url: `/v1/accounts/${id}/external_accounts`,
    },
    future_requirements: noFutureRequirements(),
    livemode: false,
    metadata: fields.metadata,
    payouts_enabled: false,
    requirements: requirementsOf(ONBOARDING_REQUIREMENTS),
    settings: {
      dashboard: { display_name: fields.businessProfile.name ?? null, timezone: 'Etc/UTC' },
      payouts: {
        debit_negative_balances: true,
        schedule: { delay_days: 2, interval: 'daily' },
        statement_descriptor: null,
      },
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type: 'express',
  };
}

/** Onboarding completed: every requested capability active, charges and payouts enabled. */
export function enable(
  account: AccountObject,
  visitor: { ip: string | null; userAgent: string | null },
): void {
  for (const name of Object.keys(account.capabilities) as CapabilityName[]) {
    account.capabilities[name] = 'active';
  }
  account.business_type ??= 'individual';
  account.details_submitted = true;
  account.charges_enabled = 'card_payments' in account.capabilities;
  account.payouts_enabled = true;
  account.requirements = requirementsOf([]);
  account.tos_acceptance = {
    date: account.tos_acceptance.date ?? unixNow(),
    ip: account.tos_acceptance.ip ?? visitor.ip,
    user_agent: account.tos_acceptance.user_agent ?? visitor.userAgent,
  };
}

/** Stripe restricted the account: it needs a verification document; no charges, transfers or payouts. */
export function restrict(account: AccountObject): void {
  for (const name of Object.keys(account.capabilities) as CapabilityName[]) {
    account.capabilities[name] = 'inactive';
  }
  account.details_submitted = true;
  account.charges_enabled = false;
  account.payouts_enabled = false;
  account.requirements = requirementsOf(RESTRICTION_REQUIREMENTS);
}
