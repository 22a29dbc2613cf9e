import type { ConfigError } from './config';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the defaults around the one required variable', () => {
    expect(loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toEqual({
      STRIPE_SANDBOX_PORT: 12111,
      STRIPE_SANDBOX_HOST: '127.0.0.1',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_WEBHOOK_ATTEMPTS: 10,
      STRIPE_WEBHOOK_BASE_DELAY_MS: 500,
      LOG_LEVEL: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      STRIPE_SANDBOX_PORT: '4000',
      STRIPE_SANDBOX_HOST: '0.0.0.0',
      STRIPE_SECRET_KEY: 'sk_test_pinned',
      STRIPE_SANDBOX_PUBLIC_URL: 'http://localhost:12111',
      STRIPE_WEBHOOK_URL: 'http://localhost:3004/api/payments/webhook',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect',
      STRIPE_WEBHOOK_ATTEMPTS: '3',
      STRIPE_WEBHOOK_BASE_DELAY_MS: '100',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      STRIPE_SANDBOX_PORT: 4000,
      STRIPE_SECRET_KEY: 'sk_test_pinned',
      STRIPE_SANDBOX_PUBLIC_URL: 'http://localhost:12111',
      STRIPE_WEBHOOK_URL: 'http://localhost:3004/api/payments/webhook',
      STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect',
      STRIPE_WEBHOOK_ATTEMPTS: 3,
      LOG_LEVEL: 'debug',
    });
  });

  it('treats empty variables as unset', () => {
    expect(
      loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_WEBHOOK_URL: '' }).STRIPE_WEBHOOK_URL,
    ).toBeUndefined();
  });

  it('lists every problem at once', () => {
    let problems: string[] = [];
    try {
      loadConfig({ STRIPE_SANDBOX_PORT: '70000', STRIPE_SECRET_KEY: 'sk_live_x', LOG_LEVEL: 'loud' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining([
        'STRIPE_SANDBOX_PORT',
        'STRIPE_SECRET_KEY',
        'STRIPE_WEBHOOK_SECRET',
        'LOG_LEVEL',
      ]),
    );
  });
});
