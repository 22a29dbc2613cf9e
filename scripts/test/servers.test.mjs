/**
 * The test bootstrap's server binaries: nats-server and redis-server are looked up (and installed
 * when missing) even when shared servers are in use, for the fault tests' private instances.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { ensureBinary } from '../lib/servers.mjs';

const dirs = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

test('ensureBinary answers the nats-server and redis-server found first on PATH', async () => {
  const bin = await mkdtemp(join(tmpdir(), 'glotixz-bin-'));
  dirs.push(bin);
  for (const name of ['nats-server', 'redis-server']) {
    await writeFile(join(bin, name), '#!/bin/sh\nexit 0\n');
    await chmod(join(bin, name), 0o755);
  }
  const path = process.env.PATH;
  process.env.PATH = [bin, path].filter(Boolean).join(delimiter);
  try {
    assert.deepEqual(
      { natsServer: await ensureBinary('nats-server'), redisServer: await ensureBinary('redis-server') },
      { natsServer: join(bin, 'nats-server'), redisServer: join(bin, 'redis-server') },
    );
  } finally {
    process.env.PATH = path;
  }
});
