/**
 * The runner's supervision of a service, started the way `npm start` starts one (its command
 * and process environment from the launch spec, services.mjs) behind the gateway: a crash is restarted with
 * backoff and served again, nothing restarts once stopped, and the variables of the runner's
 * environment reach the service. First on a stand-in service, then on auth from its build.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createGateway, loadRoutes } from '../gateway.mjs';
import { ensureDevKeys } from '../lib/keys.mjs';
import { describeExit, startSupervised, waitFor } from '../lib/proc.mjs';
import { databaseUrl, ensureDatabases } from '../lib/servers.mjs';
import { launchCommand, processEnv, services } from '../services.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A stand-in service: listens on HOST:PORT, answers /readyz, and tells its pid and the variables
 * named in ?names= (comma-separated) at /api/things/env.
 */
const STAND_IN = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://service.invalid');
  const names = (url.searchParams.get('names') ?? '').split(',').filter(Boolean);
  const env = Object.fromEntries(names.map((name) => [name, process.env[name] ?? null]));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(url.pathname === '/readyz' ? { status: 'ok' } : { pid: process.pid, env }));
});
server.listen(Number(process.env.PORT), process.env.HOST);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function freePort() {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function get(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, json: await res.json().catch(() => null) };
  } catch {
    return { status: 0, json: null };
  }
}

describe('a supervised service', () => {
  const wiring = (port) => ({
    ports: { things: port },
    databases: {},
    natsUrl: 'nats://x',
    redisUrl: 'redis://x',
    keys: { jwtPrivateKey: 'k', jwtPublicKey: 'k', cookieKeys: ['c'] },
  });
  const crashes = [];
  let service;
  let handle;
  let gateway;
  let gatewayUrl;

  before(async () => {
    service = {
      name: 'things',
      workspace: 'things',
      port: await freePort(),
      needs: [],
      command: () => [process.execPath, '-e', STAND_IN],
    };
    const [command, ...args] = launchCommand(service, ROOT);
    handle = startSupervised({
      name: service.name,
      command,
      args,
      cwd: ROOT,
      env: processEnv(service, wiring(service.port), {
        ...process.env,
        EXPIRATION_WINDOW_SECONDS: '20',
        SOME_FUTURE_LIMIT: '7',
      }),
      isReady: async () => (await get(`http://127.0.0.1:${service.port}/readyz`)).status === 200,
      readyIntervalMs: 50,
      onCrash: (h, delayMs) => crashes.push({ how: describeExit(h.exit), delayMs }),
      backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 },
    });
    await waitFor(async () => (await get(`http://127.0.0.1:${service.port}/readyz`)).status === 200, {
      timeoutMs: 10_000,
      intervalMs: 50,
      onTimeout: () => new Error('the stand-in service did not start'),
    });
    handle.supervise();
    gateway = createGateway({
      routes: {
        routes: [{ prefix: '/api/things', service: 'things', port: service.port }],
        default: { service: 'things', port: service.port },
      },
    });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    gatewayUrl = `http://127.0.0.1:${gateway.address().port}`;
  });

  after(async () => {
    await handle?.stop({ timeoutMs: 2000, group: true });
    await gateway?.stop();
  });

  test("gets every variable of the runner's environment and listens on loopback", async () => {
    const res = await get(
      `${gatewayUrl}/api/things/env?names=EXPIRATION_WINDOW_SECONDS,SOME_FUTURE_LIMIT,HOST`,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.env, {
      EXPIRATION_WINDOW_SECONDS: '20',
      SOME_FUTURE_LIMIT: '7',
      HOST: '127.0.0.1',
    });
  });

  test(
    'is restarted after SIGKILL, with backoff, and serves through the gateway again',
    { timeout: 15_000 },
    async () => {
      for (let crash = 1; crash <= 3; crash += 1) {
        const before = await get(`${gatewayUrl}/api/things/env`);
        assert.equal(before.status, 200);
        process.kill(before.json.pid, 'SIGKILL');
        const after = await waitFor(
          async () => {
            const res = await get(`${gatewayUrl}/api/things/env`);
            return res.status === 200 && res.json.pid !== before.json.pid ? res : undefined;
          },
          {
            timeoutMs: 10_000,
            intervalMs: 50,
            onTimeout: () => new Error(`not served again after crash ${crash}`),
          },
        );
        assert.notEqual(after.json.pid, before.json.pid);
        await waitFor(() => handle.status === 'ready', {
          timeoutMs: 5000,
          intervalMs: 20,
          onTimeout: () => new Error(`status is ${handle.status}`),
        });
        assert.equal(handle.restarts, crash);
      }
      assert.deepEqual(crashes, [
        { how: 'killed by SIGKILL', delayMs: 100 },
        { how: 'killed by SIGKILL', delayMs: 200 },
        { how: 'killed by SIGKILL', delayMs: 400 },
      ]);
    },
  );

  test('is not restarted once stopped', { timeout: 10_000 }, async () => {
    const { pid } = (await get(`${gatewayUrl}/api/things/env`)).json;
    assert.equal(await handle.stop({ timeoutMs: 2000, group: true }), true);
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal((await get(`http://127.0.0.1:${service.port}/readyz`)).status, 0);
    assert.equal(handle.restarts, 3);
    assert.notEqual(handle.child.pid, undefined);
    assert.equal(handle.child.pid, pid);
  });
});

describe(
  'auth started by the runner',
  { skip: !existsSync(join(ROOT, 'auth', 'dist', 'main.js')) && 'auth is not built' },
  () => {
    const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const database = `glotixz_restart_${randomBytes(6).toString('hex')}`;
    let keysDir;
    let service;
    let handle;
    let gateway;
    let gatewayUrl;

    const environOf = async (pid) =>
      Object.fromEntries(
        (await readFile(`/proc/${pid}/environ`, 'utf8'))
          .split('\0')
          .filter(Boolean)
          .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
      );

    before(async () => {
      await ensureDatabases(adminUrl, [database]);
      keysDir = await mkdtemp(join(tmpdir(), 'glotixz-keys-'));
      const keys = await ensureDevKeys(join(keysDir, 'keys'));
      service = { ...services.find((s) => s.name === 'auth'), port: await freePort() };
      const wiring = {
        ports: { auth: service.port },
        databases: { auth: databaseUrl(adminUrl, database) },
        natsUrl: 'nats://127.0.0.1:4222',
        redisUrl: 'redis://127.0.0.1:6379',
        keys,
        logLevel: 'warn',
      };
      const [command, ...args] = launchCommand(service, ROOT);
      const readyz = `http://127.0.0.1:${service.port}/readyz`;
      handle = startSupervised({
        name: service.name,
        command,
        args,
        cwd: ROOT,
        env: processEnv(service, wiring, { ...process.env, SIGNIN_WINDOW_SECONDS: '123' }),
        isReady: async () => (await get(readyz)).status === 200,
        readyIntervalMs: 100,
      });
      await waitFor(async () => handle.exit ?? (await get(readyz)).status === 200, {
        timeoutMs: 30_000,
        intervalMs: 100,
        onTimeout: () => new Error('auth did not start'),
      });
      assert.equal(handle.exit, null, `auth exited: ${describeExit(handle.exit)}`);
      handle.supervise();
      gateway = createGateway({
        routes: loadRoutes(),
        resolve: () => ({ host: '127.0.0.1', port: service.port }),
      });
      gateway.listen(0, '127.0.0.1');
      await once(gateway, 'listening');
      gatewayUrl = `http://127.0.0.1:${gateway.address().port}`;
    });

    after(async () => {
      await handle?.stop({ timeoutMs: 5000, group: true });
      await gateway?.stop();
      if (keysDir) await rm(keysDir, { recursive: true, force: true });
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists "${database}" with (force)`);
      await client.end();
    });

    test(
      "gets the runner's environment, serves again through the gateway after SIGKILL",
      { timeout: 40_000 },
      async () => {
        const first = handle.child.pid;
        const environ = await environOf(first);
        assert.equal(environ.SIGNIN_WINDOW_SECONDS, '123');
        assert.equal(environ.HOST, '127.0.0.1');
        assert.equal((await get(`${gatewayUrl}/api/users/currentuser`)).status, 200);

        process.kill(first, 'SIGKILL');
        await waitFor(
          async () =>
            handle.child.pid !== first && (await get(`${gatewayUrl}/api/users/currentuser`)).status === 200,
          {
            timeoutMs: 30_000,
            intervalMs: 100,
            onTimeout: () => new Error(`auth was not served again (status ${handle.status})`),
          },
        );
        assert.equal(handle.restarts, 1);
        assert.equal((await environOf(handle.child.pid)).SIGNIN_WINDOW_SECONDS, '123');
      },
    );
  },
);
