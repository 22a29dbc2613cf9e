/**
 * Process helpers for the local stack runner: run a command to completion, find a binary,
 * poll until a condition holds, and stop a child process within a grace period.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Children started through `run`, so an interrupted runner can stop them. */
const running = new Set();

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Finds an executable on PATH (and the sbin directories, which a normal user's PATH may lack). */
export async function which(bin, extraDirs = []) {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const dir of dirs) {
    const file = join(dir, bin);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      continue;
    }
  }
  return null;
}

/**
 * Runs a command to completion and resolves with `{ code, output }`; `output` holds stdout and
 * stderr when `capture` is set, otherwise both go to the terminal. Never rejects on a non-zero
 * exit; rejects only when the command cannot be started.
 */
export function run(cmd, args, { cwd, env, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
    running.add(child);
    let output = '';
    if (capture) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code: code ?? 1, signal, output });
    });
  });
}

/** Sends SIGTERM to every command still running through `run`. */
export function terminateRunning() {
  for (const child of running) child.kill('SIGTERM');
}

/** Resolves once the child has exited (immediately if it already has). */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Sends SIGTERM, waits up to `timeoutMs`, then SIGKILL; with `group` the signals go to the
 * child's whole process group (it must have been spawned detached). Resolves true if it stopped
 * in time.
 */
export async function stopChild(child, { timeoutMs = 10_000, group = false } = {}) {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const signal = (name) => {
    try {
      if (group) process.kill(-child.pid, name);
      else child.kill(name);
    } catch (err) {
      if (err.code !== 'ESRCH') throw err;
    }
  };
  signal('SIGTERM');
  const inTime = await Promise.race([exited(child).then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!inTime) {
    signal('SIGKILL');
    await exited(child);
  }
  return inTime;
}

/**
 * Calls `check` every `intervalMs` until it returns a truthy value, which is returned. Throws the
 * result of `onTimeout()` after `timeoutMs`, or whatever `check` throws.
 */
export async function waitFor(check, { timeoutMs, intervalMs = 250, onTimeout }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() >= deadline) throw onTimeout();
    await sleep(intervalMs);
  }
}

/** True if a process with this pid is alive and its command line mentions `name`. */
export async function isProcessRunning(pid, name) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(name);
  } catch {
    return true;
  }
}

/** The last `count` lines of a text file, or '' if it can't be read. */
export async function tail(file, count = 20) {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}
