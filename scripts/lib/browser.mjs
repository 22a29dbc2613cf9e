/**
 * The browser the end-to-end tests drive: Debian's Chromium at /usr/bin/chromium (or
 * CHROMIUM_PATH), installed with apt-get when missing and we are root. Never a downloaded build.
 */
import { existsSync } from 'node:fs';
import { aptInstall } from './infra.mjs';
import { StackError, log } from './log.mjs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Makes sure Chromium is installed and answers its path. */
export async function ensureChromium(ctx = {}, env = process.env) {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (existsSync(path)) {
    log.ok(`Chromium: ${path}`);
    return path;
  }
  if (env.CHROMIUM_PATH) throw new StackError(`CHROMIUM_PATH=${path} does not exist`);
  await aptInstall(ctx, 'chromium', {
    label: 'Chromium',
    what: 'The browser tests need Chromium',
    hint: 'Install chromium (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.',
  });
  if (!existsSync(path)) throw new StackError(`chromium was installed but ${path} is missing`);
  log.ok(`Chromium: installed ${path}`);
  return path;
}
