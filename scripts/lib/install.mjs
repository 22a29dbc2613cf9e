/**
 * The bootstrap's first step: `npm ci` (`npm install` without a lockfile) when node_modules is
 * missing or older than package-lock.json. Node built-ins only: it runs before any install.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StackError, log } from './log.mjs';
import { run } from './proc.mjs';

/** Why dependencies must be installed, or null when node_modules is up to date. */
export function installReason(root) {
  const lockfile = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(marker)) return 'node_modules was not installed by npm 7+';
  if (existsSync(lockfile) && statSync(lockfile).mtimeMs > statSync(marker).mtimeMs)
    return 'package-lock.json is newer than node_modules';
  return null;
}

export async function ensureDependencies(root) {
  const reason = installReason(root);
  if (!reason) return log.ok('Dependencies: node_modules is up to date');
  const args = [existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install', '--no-audit', '--no-fund'];
  log.step(`Dependencies: ${reason}; running npm ${args.join(' ')}`);
  const started = Date.now();
  const { code } = await run('npm', args, { cwd: root });
  if (code !== 0) throw new StackError(`npm ${args[0]} failed with exit code ${code}`);
  log.ok(`Dependencies installed in ${Math.round((Date.now() - started) / 1000)} s`);
}
