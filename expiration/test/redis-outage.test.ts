import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort, sleep, waitFor } from '@glotixz/common/testing';
import request from 'supertest';
import { startExpirationHarness, type ExpirationHarness } from './expiration-harness';

// A private, throwaway redis-server: the shared one must stay up for the other test files.
const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const itWithRedisServer = haveRedisServer ? it : it.skip;

async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return child;
}

async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

let port: number;
let server: ChildProcess | undefined;
let h: ExpirationHarness | undefined;

beforeAll(async () => {
  if (!haveRedisServer) return;
  port = await freePort();
  server = await startRedisServer(port);
  h = await startExpirationHarness(`redis://127.0.0.1:${port}`);
});
afterAll(async () => {
  await h?.close();
  if (server) await stopRedisServer(server);
});

describe('Redis outage', () => {
  itWithRedisServer(
    'holds order.created unacked while Redis is down and schedules it once Redis is back',
    async () => {
      const harness = h!;
      const instance = await harness.startInstance();
      await request(instance.app.app).get('/readyz').expect(200);

      await stopRedisServer(server!);
      await waitFor(() => instance.redis.status !== 'ready', 2_000, 'the connection to drop');
      await request(instance.app.app)
        .get('/readyz')
        .expect(503, { status: 'unavailable', checks: { redis: 'down', nats: 'ok' } });

      const order = await harness.publishOrderCreated({
        expiresAt: new Date(Date.now() + 500).toISOString(),
      });
      await sleep(1_000);
      const held = await harness.bus.jsm.consumers.info(
        harness.bus.streamName('ORDERS'),
        'expiration-order-created',
      );
      expect(held.num_ack_pending).toBe(1);
      expect(await harness.expirations(order.id)).toEqual([]);

      server = await startRedisServer(port);
      await waitFor(async () => (await harness.expirations(order.id)).length > 0, 8_000, 'the expiration');
      await waitFor(
        async () => (await request(instance.app.app).get('/readyz')).status === 200,
        3_000,
        'readiness',
      );
      const settled = await harness.bus.jsm.consumers.info(
        harness.bus.streamName('ORDERS'),
        'expiration-order-created',
      );
      expect(settled.num_ack_pending).toBe(0);
      expect(await harness.expirations(order.id)).toHaveLength(1);
      await instance.stop();
    },
  );
});
