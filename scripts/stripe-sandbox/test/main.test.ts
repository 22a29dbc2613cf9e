import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import Stripe from 'stripe';
import { SECRET_KEY, WEBHOOK_SECRET, intentParams, startWebhookReceiver } from './harness';

const workspace = path.join(__dirname, '..');

/** Runs `src/main.ts` as the stack runs `dist/main.js`, collecting its output. */
function runMain(env: Record<string, string>): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function listeningPort(stdout: () => string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = stdout()
      .split('\n')
      .find((candidate) => candidate.includes('stripe sandbox listening'));
    if (line) return (JSON.parse(line) as { port: number }).port;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the sandbox did not start:\n${stdout()}`);
}

describe('the sandbox process (src/main.ts)', () => {
  it('serves the API from the environment, delivers webhooks, and stops cleanly on SIGTERM', async () => {
    const receiver = await startWebhookReceiver();
    const run = runMain({
      STRIPE_SANDBOX_PORT: '0',
      STRIPE_WEBHOOK_URL: receiver.url,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'info',
    });
    try {
      const port = await listeningPort(run.stdout);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

      const stripe = new Stripe(SECRET_KEY, { host: '127.0.0.1', port, protocol: 'http' });
      await stripe.paymentIntents.create(intentParams({ payment_method: 'pm_card_visa', confirm: true }));
      const deadline = Date.now() + 5000;
      while (receiver.received.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [webhook] = receiver.received;
      expect(
        stripe.webhooks.constructEvent(
          webhook!.rawBody,
          webhook!.headers['stripe-signature'] as string,
          WEBHOOK_SECRET,
        ).type,
      ).toBe('payment_intent.succeeded');

      const exited = once(run.child, 'exit');
      run.child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(run.stdout()).toContain('stripe sandbox stopped');
    } finally {
      run.child.kill('SIGKILL');
      await receiver.close();
    }
  });

  it('still exits on SIGTERM when whoever read its output has gone away', async () => {
    const run = runMain({
      STRIPE_SANDBOX_PORT: '0',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'info',
    });
    try {
      await listeningPort(run.stdout);
      run.child.stdout!.destroy();
      const exited = once(run.child, 'exit');
      run.child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(() => resolve('hung'), 5000).unref());
      expect(await Promise.race([exited.then(([code]) => code as number | null), timeout])).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('refuses to start with a bad environment, listing every problem', async () => {
    const run = runMain({ STRIPE_SANDBOX_PORT: 'not-a-port', STRIPE_WEBHOOK_URL: 'nope' });
    const [code] = (await once(run.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(run.stderr()).toContain('STRIPE_SANDBOX_PORT');
    expect(run.stderr()).toContain('STRIPE_WEBHOOK_URL');
    expect(run.stderr()).toContain('STRIPE_WEBHOOK_SECRET: is required');
  });
});
