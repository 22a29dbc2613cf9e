/**
 * The infrastructure probes (the real clients): unreachable detection against a closed port, a
 * silent server, a NATS server without JetStream, a fake server speaking just enough Redis, and
 * (when the stack runner passes TEST_* URLs) the real servers.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { probeNats, probePostgres, probeRedis, probeTcp } from '../lib/probes.mjs';
import { waitFor, which } from '../lib/proc.mjs';

const servers = [];
/** Connections to the fakes, closed at the end: a client that gave up may leave its socket open. */
const sockets = [];

async function fakeServer(onConnection) {
  const server = net.createServer((socket) => {
    sockets.push(socket);
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return server.address().port;
}

async function closedPort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function natsGreeting(info) {
  return (socket) => socket.write(`INFO ${JSON.stringify(info)}\r\n`);
}

/** A fake Redis: `answer(chunk, received so far)` replies to each chunk a client sends. */
function fakeRedis(answer) {
  return (socket) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
      const reply = answer(String(chunk), received);
      if (reply) socket.write(reply);
    });
  };
}

const children = [];

after(() => {
  for (const server of servers) server.close();
  for (const socket of sockets) socket.destroy();
  for (const child of children) child.kill('SIGKILL');
});

describe('unreachable servers', () => {
  test('every probe reports a closed port as unusable', async () => {
    const port = await closedPort();
    assert.equal(await probeTcp('127.0.0.1', port), false);
    const results = await Promise.all([
      probePostgres(`postgres://postgres@127.0.0.1:${port}/postgres`),
      probeNats(`nats://127.0.0.1:${port}`),
      probeRedis(`redis://127.0.0.1:${port}`),
    ]);
    for (const result of results) assert.deepEqual(result, { ok: false, reason: 'connection refused' });
  });

  test('a server that never answers times out', async () => {
    const port = await fakeServer(() => {});
    assert.equal(await probeTcp('127.0.0.1', port), true);
    assert.deepEqual(await probeNats(`nats://127.0.0.1:${port}`, { timeoutMs: 200 }), {
      ok: false,
      reason: 'timed out',
    });
    assert.deepEqual(await probeRedis(`redis://127.0.0.1:${port}`, { timeoutMs: 200 }), {
      ok: false,
      reason: 'timed out',
    });
  });

  test('Postgres is not mistaken for another protocol', async () => {
    const port = await fakeServer(natsGreeting({ version: '2.9.10', jetstream: true }));
    const result = await probePostgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { timeoutMs: 500 });
    assert.equal(result.ok, false);
  });
});

describe('NATS', () => {
  test('rejects a server without JetStream', async (t) => {
    const bin = await which('nats-server');
    if (!bin) return t.skip('nats-server is not installed');
    const port = await closedPort();
    const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    children.push(child);
    await waitFor(() => probeTcp('127.0.0.1', port), {
      timeoutMs: 10_000,
      onTimeout: () => new Error('no nats'),
    });
    const result = await probeNats(`nats://127.0.0.1:${port}`);
    assert.equal(result.ok, false);
    assert.match(result.reason, /without JetStream/);
  });

  test('rejects a server that is not NATS', async () => {
    const port = await fakeServer((socket) => socket.write('+PONG\r\n'));
    const result = await probeNats(`127.0.0.1:${port}`, { timeoutMs: 500 });
    assert.equal(result.ok, false);
  });
});

describe('Redis', () => {
  test('accepts +PONG', async () => {
    const port = await fakeServer(fakeRedis((chunk) => (/ping/i.test(chunk) ? '+PONG\r\n' : '')));
    assert.deepEqual(await probeRedis(`redis://127.0.0.1:${port}`), {
      ok: true,
      detail: 'Redis answered PONG',
    });
  });

  test('rejects an error answer such as NOAUTH', async () => {
    const port = await fakeServer(fakeRedis(() => '-NOAUTH Authentication required.\r\n'));
    assert.deepEqual(await probeRedis(`redis://127.0.0.1:${port}`), {
      ok: false,
      reason: 'Redis answered NOAUTH Authentication required.',
    });
  });

  test('authenticates first when the URL carries a password', async () => {
    let seen = '';
    const port = await fakeServer(
      fakeRedis((chunk, received) => {
        seen = received;
        return /auth/i.test(chunk) ? '+OK\r\n' : /ping/i.test(chunk) ? '+PONG\r\n' : '';
      }),
    );
    assert.equal((await probeRedis(`redis://:s%40cret@127.0.0.1:${port}`)).ok, true);
    assert.match(seen, /^\*2\r\n\$4\r\nAUTH\r\n\$6\r\ns@cret\r\n/i);
  });

  test('rejects a URL that is not redis://', async () => {
    assert.equal((await probeRedis('http://127.0.0.1:6379')).ok, false);
  });
});

describe('the servers the stack runner chose', () => {
  const { TEST_PG_ADMIN_URL, TEST_NATS_URL, TEST_REDIS_URL } = process.env;

  test('Postgres answers select 1', { skip: !TEST_PG_ADMIN_URL && 'TEST_PG_ADMIN_URL not set' }, async () => {
    assert.equal((await probePostgres(TEST_PG_ADMIN_URL)).ok, true);
  });

  test('NATS has JetStream', { skip: !TEST_NATS_URL && 'TEST_NATS_URL not set' }, async () => {
    assert.equal((await probeNats(TEST_NATS_URL)).ok, true);
  });

  test('Redis answers PONG', { skip: !TEST_REDIS_URL && 'TEST_REDIS_URL not set' }, async () => {
    assert.equal((await probeRedis(TEST_REDIS_URL)).ok, true);
  });
});
