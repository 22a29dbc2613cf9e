import Stripe from 'stripe';
import type { StripeSandbox } from '@glotixz/stripe-sandbox';
import {
  WEBHOOK_SECRET,
  rejectionOf,
  startTestSandbox,
  startWebhookReceiver,
  stripeFor,
  type WebhookReceiver,
} from './harness';

let sandbox: StripeSandbox;
let receiver: WebhookReceiver;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sandbox = await startTestSandbox({ webhookUrl: receiver.url });
  stripe = stripeFor(sandbox);
});

afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const RETURN_URL = 'http://127.0.0.1:3000/my/earnings?onboarding=done';
const REFRESH_URL = 'http://127.0.0.1:3000/my/earnings?onboarding=refresh';

/** An Express account the way the payments service creates one. */
function createAccount(userId: string, options: Stripe.RequestOptions = {}): Promise<Stripe.Account> {
  return stripe.accounts.create(
    {
      type: 'express',
      country: 'US',
      email: `${userId}@example.com`,
      capabilities: { transfers: { requested: true }, card_payments: { requested: true } },
      metadata: { userId },
    },
    options,
  );
}

function onboardingLink(account: string): Promise<Stripe.AccountLink> {
  return stripe.accountLinks.create({
    account,
    type: 'account_onboarding',
    return_url: RETURN_URL,
    refresh_url: REFRESH_URL,
  });
}

/** What a browser gets for the page: status, Location and HTML. */
async function visit(url: string, form?: Record<string, string>) {
  const response = await fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    ...(form
      ? {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }
      : {}),
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

const accountUpdates = (accountId: string) =>
  receiver.ofType('account.updated').filter(({ event }) => event.data.object.id === accountId);

describe('accounts', () => {
  it('creates an Express account that is not yet able to receive transfers', async () => {
    const account = await createAccount('user-a1');
    expect(account.id).toMatch(/^acct_[0-9A-Za-z]{24}$/);
    expect(account).toMatchObject({
      object: 'account',
      type: 'express',
      country: 'US',
      default_currency: 'usd',
      email: 'user-a1@example.com',
      metadata: { userId: 'user-a1' },
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: false,
      capabilities: { transfers: 'inactive', card_payments: 'inactive' },
      controller: { type: 'application', stripe_dashboard: { type: 'express' } },
      tos_acceptance: { date: null },
    });
    // As on Stripe, a fresh account has everything past due (and so a disabled_reason).
    expect(account.requirements?.disabled_reason).toBe('requirements.past_due');
    expect(account.requirements?.currently_due).toContain('external_account');
    expect({ ...(await stripe.accounts.retrieve(account.id)) }).toEqual({ ...account });
  });

  it('creates one account per idempotency key, and refuses the key with other parameters', async () => {
    const first = await createAccount('user-a2', { idempotencyKey: 'account-user-a2' });
    const again = await createAccount('user-a2', { idempotencyKey: 'account-user-a2' });
    expect(again.id).toBe(first.id);
    const other = await rejectionOf(createAccount('user-zz', { idempotencyKey: 'account-user-a2' }));
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(other.statusCode).toBe(400);
  });

  it('answers 403 for an account the platform does not have', async () => {
    const error = await rejectionOf(stripe.accounts.retrieve('acct_unknown'));
    expect(error).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(error).toMatchObject({ statusCode: 403, code: 'account_invalid' });
  });

  it.each([
    ['another type', { type: 'custom' }, 'type', undefined],
    [
      'an unknown capability',
      { type: 'express', capabilities: { treasury: { requested: true } } },
      'capabilities[treasury]',
      'parameter_unknown',
    ],
    ['a bad country', { type: 'express', country: 'USA' }, 'country', undefined],
  ])('refuses %s with 400', async (_what, params, param, code) => {
    const error = await rejectionOf(stripe.accounts.create(params));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, param, code });
  });

  it('updates metadata and email and fires account.updated', async () => {
    const account = await createAccount('user-a3');
    const updated = await stripe.accounts.update(account.id, {
      email: 'new@example.com',
      metadata: { tier: 'gold' },
    });
    expect(updated).toMatchObject({
      email: 'new@example.com',
      metadata: { userId: 'user-a3', tier: 'gold' },
    });
    await sandbox.webhooksIdle();
    expect(accountUpdates(account.id)).toHaveLength(1);
  });
});

describe('account links and the onboarding page', () => {
  it('creates a single-use link to a form that enables the account and returns to return_url', async () => {
    const account = await createAccount('user-l1');
    const link = await onboardingLink(account.id);
    expect(link).toMatchObject({ object: 'account_link' });
    expect(link.expires_at - link.created).toBe(300);
    expect(link.url.startsWith(`${sandbox.url}/setup/e/${account.id}/`)).toBe(true);

    const page = await visit(link.url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<form method="post"');
    expect(page.html).toContain('Complete onboarding');
    expect(page.html).toContain('Restrict account');

    const done = await visit(link.url, { action: 'complete' });
    expect(done).toMatchObject({ status: 303, location: RETURN_URL });

    const enabled = await stripe.accounts.retrieve(account.id);
    expect(enabled).toMatchObject({
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      capabilities: { transfers: 'active', card_payments: 'active' },
      requirements: { disabled_reason: null, currently_due: [], past_due: [] },
    });
    expect(enabled.tos_acceptance?.date).toEqual(expect.any(Number));

    await sandbox.webhooksIdle();
    const [webhook] = accountUpdates(account.id);
    const event = stripe.webhooks.constructEvent(
      webhook!.rawBody,
      webhook!.headers['stripe-signature'] as string,
      WEBHOOK_SECRET,
    );
    expect(event.type).toBe('account.updated');
    expect(event.data.object).toMatchObject({
      id: account.id,
      payouts_enabled: true,
      capabilities: { transfers: 'active' },
    });
    expect(event.request).toEqual({ id: null, idempotency_key: null });

    // Single use: opening it again (or submitting again) leads to refresh_url.
    expect(await visit(link.url)).toMatchObject({ status: 303, location: REFRESH_URL });
    expect(await visit(link.url, { action: 'complete' })).toMatchObject({
      status: 303,
      location: REFRESH_URL,
    });
  });

  it('restricts the account from the sandbox-only button and fires account.updated', async () => {
    const account = await createAccount('user-l2');
    const link = await onboardingLink(account.id);
    await visit(link.url);
    expect(await visit(link.url, { action: 'restrict' })).toMatchObject({
      status: 303,
      location: RETURN_URL,
    });
    const restricted = await stripe.accounts.retrieve(account.id);
    expect(restricted).toMatchObject({
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: { transfers: 'inactive' },
      requirements: {
        disabled_reason: 'requirements.past_due',
        past_due: ['individual.verification.document'],
      },
    });
    await sandbox.webhooksIdle();
    expect(accountUpdates(account.id).at(-1)?.event.data.object).toMatchObject({ payouts_enabled: false });
  });

  it('sends an expired link to refresh_url', async () => {
    const shortLived = await startTestSandbox({ accountLinkTtlSeconds: 1 });
    try {
      const client = stripeFor(shortLived);
      const account = await client.accounts.create({ type: 'express' });
      const link = await client.accountLinks.create({
        account: account.id,
        type: 'account_onboarding',
        return_url: RETURN_URL,
        refresh_url: REFRESH_URL,
      });
      await new Promise((resolve) => setTimeout(resolve, 1100 + (1000 - (Date.now() % 1000))));
      expect(await visit(link.url)).toMatchObject({ status: 303, location: REFRESH_URL });
      expect((await client.accounts.retrieve(account.id)).details_submitted).toBe(false);
    } finally {
      await shortLived.close();
    }
  });

  it('serves links under the configured public URL', async () => {
    const behindProxy = await startTestSandbox({ publicUrl: 'https://stripe.example.test/' });
    try {
      const client = stripeFor(behindProxy);
      const account = await client.accounts.create({ type: 'express' });
      const link = await client.accountLinks.create({
        account: account.id,
        type: 'account_onboarding',
        return_url: RETURN_URL,
        refresh_url: REFRESH_URL,
      });
      expect(link.url.startsWith(`https://stripe.example.test/setup/e/${account.id}/`)).toBe(true);
    } finally {
      await behindProxy.close();
    }
  });

  it('answers 404 for an unknown link and 400 for a form without an action', async () => {
    const account = await createAccount('user-l3');
    expect((await visit(`${sandbox.url}/setup/e/${account.id}/nope`)).status).toBe(404);
    const link = await onboardingLink(account.id);
    expect((await visit(link.url, { action: 'hack' })).status).toBe(400);
    // A form never opened is not accepted either.
    expect(await visit(link.url, { action: 'complete' })).toMatchObject({
      status: 303,
      location: REFRESH_URL,
    });
  });

  it.each([
    ['an unknown account', { account: 'acct_nope' }, 'account', 'resource_missing'],
    ['no return_url', { return_url: undefined }, 'return_url', 'parameter_missing'],
    ['a bad refresh_url', { refresh_url: 'not a url' }, 'refresh_url', 'url_invalid'],
    ['account_update', { type: 'account_update' }, 'type', undefined],
  ])('refuses a link for %s with 400', async (_what, overrides, param, code) => {
    const account = await createAccount('user-l4');
    const params = {
      account: account.id,
      type: 'account_onboarding',
      return_url: RETURN_URL,
      refresh_url: REFRESH_URL,
      ...overrides,
    } as Stripe.AccountLinkCreateParams;
    const error = await rejectionOf(stripe.accountLinks.create(params));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, param, code });
  });
});

describe('test helpers (sandbox only)', () => {
  it('completes onboarding and restricts through /v1/test_helpers, firing account.updated', async () => {
    const account = await createAccount('user-h1');
    const enabled = (await stripe.rawRequest(
      'POST',
      `/v1/test_helpers/accounts/${account.id}/complete_onboarding`,
      {},
    )) as Stripe.Account;
    expect(enabled).toMatchObject({
      id: account.id,
      payouts_enabled: true,
      capabilities: { transfers: 'active' },
    });
    const restricted = (await stripe.rawRequest(
      'POST',
      `/v1/test_helpers/accounts/${account.id}/restrict`,
      {},
    )) as Stripe.Account;
    expect(restricted.requirements?.disabled_reason).toBe('requirements.past_due');
    await sandbox.webhooksIdle();
    expect(accountUpdates(account.id).map(({ event }) => event.data.object.payouts_enabled)).toEqual([
      true,
      false,
    ]);
  });

  it('does the same from the sandbox handle', async () => {
    const account = await createAccount('user-h2');
    expect(sandbox.completeOnboarding(account.id)).toMatchObject({ payouts_enabled: true });
    expect(sandbox.restrictAccount(account.id)).toMatchObject({ payouts_enabled: false });
    expect(() => sandbox.restrictAccount('acct_nope')).toThrow("account 'acct_nope'");
    await sandbox.webhooksIdle();
    expect(accountUpdates(account.id)).toHaveLength(2);
  });
});
