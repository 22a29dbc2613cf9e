/**
 * The architecture check (`npm run check:architecture`, run by `npm run lint`): each rule of
 * `.dependency-cruiser.cjs` catches what it forbids in a small tree, and the repository has none.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/** Runs the check in `cwd`; answers its exit code and the violations it printed. */
async function check(cwd) {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [DEPCRUISE, '--config', CONFIG, '--output-type', 'err', '.'],
      { cwd },
    );
    return { code: 0, stdout, violations: [] };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    const violations = [...err.stdout.matchAll(/^\s*error (\S+): (\S+) →/gm)].map(([, rule, from]) => ({
      rule,
      from,
    }));
    return { code: err.code, stdout: err.stdout + err.stderr, violations };
  }
}

async function writeTree(root, files) {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

test('a service importing another, a cycle and imports of common internals are each refused', async () => {
  const root = await mkdtemp(join(tmpdir(), 'glotixz-architecture-'));
  try {
    await writeTree(root, {
      'common/src/index.ts': "export * from './bus';\n",
      'common/src/bus/index.ts': "export * from './bus';\n",
      'common/src/bus/bus.ts': 'export const bus = 1;\n',
      // a cycle through a type-only import still counts
      'common/src/bus/left.ts':
        "import type { Right } from './right';\nexport type Left = { right?: Right };\n",
      'common/src/bus/right.ts':
        "import type { Left } from './left';\nexport type Right = { left?: Left };\n",
      'tickets/src/tickets.repo.ts': 'export const findTicket = () => null;\n',
      'orders/src/orders.service.ts':
        "import { findTicket } from '../../tickets/src/tickets.repo';\nexport const f = findTicket;\n",
      'payments/src/charge.ts': "import { bus } from '@glotixz/common/bus/bus';\nexport const b = bus;\n",
      'tickets/src/consume.ts':
        "import { bus } from '@glotixz/common/dist/bus/bus';\nexport const b = bus;\n",
      'e2e/test/stack.ts': "import { bus } from '../../common/src/bus';\nexport const b = bus;\n",
      // allowed: an entry of the exports map, and files of one's own service
      'auth/src/app.ts':
        "import { bus } from '@glotixz/common/bus';\nimport { x } from './x';\nexport const a = [bus, x];\n",
      'auth/src/x.ts': 'export const x = 1;\n',
    });
    const { code, stdout, violations } = await check(root);
    // dependency-cruiser exits with the number of violations
    assert.equal(code, violations.length, stdout);
    // a cycle is reported once, from either of its modules
    const found = violations
      .map(({ rule, from }) => (rule === 'no-circular' ? rule : `${rule} ${from}`))
      .sort();
    assert.deepEqual(
      found,
      [
        'no-circular',
        'no-common-internals e2e/test/stack.ts',
        'no-common-internals payments/src/charge.ts',
        'no-common-internals tickets/src/consume.ts',
        'no-service-to-service orders/src/orders.service.ts',
      ],
      stdout,
    );
    assert.match(
      stdout,
      /no-circular: common\/src\/bus\/(left|right)[.]ts →\s+common\/src\/bus\/(right|left)[.]ts/,
      stdout,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the repository passes the check', async () => {
  const { code, stdout } = await check(ROOT);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /no dependency violations found/);
});
