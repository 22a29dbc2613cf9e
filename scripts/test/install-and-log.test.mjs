/**
 * When the bootstrap reinstalls dependencies, and how child output is rendered.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installReason } from '../lib/install.mjs';
import { formatLogLine, redactUrl } from '../lib/log.mjs';

test('installs when node_modules is missing, incomplete or older than the lockfile', async () => {
  const root = await mkdtemp(join(tmpdir(), 'glotixz-install-'));
  try {
    await writeFile(join(root, 'package-lock.json'), '{}');
    assert.match(installReason(root), /missing/);
    await mkdir(join(root, 'node_modules'));
    assert.match(installReason(root), /not installed by npm/);
    const marker = join(root, 'node_modules', '.package-lock.json');
    await writeFile(marker, '{}');
    const now = Date.now() / 1000;
    await utimes(join(root, 'package-lock.json'), now - 60, now - 60);
    await utimes(marker, now, now);
    assert.equal(installReason(root), null);
    await utimes(join(root, 'package-lock.json'), now + 60, now + 60);
    assert.match(installReason(root), /newer/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

// eslint-disable-next-line no-control-regex
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

test('pino lines are shortened to time, level, message and useful fields', () => {
  const line = JSON.stringify({
    level: 30,
    time: Date.UTC(2025, 0, 1, 12, 34, 56, 789),
    pid: 1,
    hostname: 'h',
    msg: 'request completed',
    req: { method: 'GET', url: '/api/users/currentuser' },
    res: { statusCode: 200 },
    responseTime: 4,
  });
  assert.equal(
    plain(formatLogLine(line)),
    '[12:34:56.789] INFO: request completed GET /api/users/currentuser 200 {"responseTime":4}',
  );
});

test('pino errors keep their stack; other output is left alone', () => {
  const line = JSON.stringify({
    level: 50,
    time: 0,
    msg: 'boom',
    err: { type: 'Error', message: 'x', stack: 'Error: x\n    at y' },
  });
  const text = plain(formatLogLine(line));
  assert.match(text, /^\[00:00:00[.]000\] ERROR: boom\n/);
  assert.match(text, /^ +Error: x\n +at y$/m);
  assert.equal(formatLogLine('plain text'), 'plain text');
  assert.equal(formatLogLine('{not json'), '{not json');
});

test('passwords are hidden in printed URLs', () => {
  assert.equal(redactUrl('postgres://u:secret@h:1/db'), 'postgres://u:****@h:1/db');
  assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
});
