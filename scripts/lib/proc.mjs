/** Processes for the stack runner: run a command, find a binary, poll, stop a child, supervise a service. */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const RESTART_BACKOFF = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** Children started through `run`, so an interrupted runner can stop them. */
const running = new Set();

export const isRoot = () => process.getuid?.() === 0;

/** An executable file on PATH or in the sbin folders (which a normal user's PATH may lack), or null. */
export function which(bin) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const file of dirs.filter(Boolean).map((dir) => join(dir, bin))) {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && stat.mode & 0o111) return file;
  }
  return null;
}

/**
 * Runs a command to completion: `{ code, output }`, `output` holding stdout and stderr with
 * `capture` (else both go to the terminal); other options go to `spawn`. Rejects only when it cannot start.
 */
export function run(cmd, args, { capture = false, ...options } = {}) {
  return new Promise((resolve, reject) => {
    const out = capture ? 'pipe' : 'inherit';
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', out, out] });
    running.add(child);
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => (output += chunk));
    child.on('error', reject).on('close', (code) => resolve({ code: code ?? 1, output }));
    child.on('close', () => running.delete(child)).on('error', () => running.delete(child));
  });
}

/** Sends SIGTERM to every command still running through `run`. */
export const terminateRunning = () => running.forEach((child) => child.kill('SIGTERM'));

const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Resolves once the child has exited (at once if it has). */
export const exited = (child) =>
  hasExited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/** Signals the child, or with `group` its whole process group (it must have been spawned detached). */
function signal(child, name, group) {
  try {
    if (group) process.kill(-child.pid, name);
    else child.kill(name);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/** `first` (SIGTERM), then SIGKILL after `timeoutMs` (`group` as in `signal`). True if it stopped in time. */
export async function stopChild(
  child,
  { timeoutMs = 10_000, group = false, signal: first = 'SIGTERM' } = {},
) {
  if (hasExited(child)) return true;
  signal(child, first, group);
  const inTime = await Promise.race([
    exited(child).then(() => true),
    sleep(timeoutMs, false, { ref: false }),
  ]);
  if (!inTime) signal(child, 'SIGKILL', group);
  await exited(child);
  return inTime;
}

/**
 * Calls `check` every `intervalMs` until it answers a truthy value, which it answers; after
 * `timeoutMs` it throws `onTimeout()`, or answers false without `onTimeout`.
 */
export async function waitFor(check, { timeoutMs = Infinity, intervalMs = 250, onTimeout } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() >= deadline && onTimeout) throw onTimeout();
    if (Date.now() >= deadline) return false;
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
  return readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (cmdline) => cmdline.includes(name),
    () => true,
  );
}

/** "exit code 1" or "killed by SIGKILL". */
export function describeExit(exit) {
  if (!exit) return 'running';
  return exit.error ?? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
}

/**
 * Starts `options.command` (`args`, `cwd`, `env`) in its own process group, `attach(child)` on each
 * start. The handle: `status` ('starting', 'ready', 'restarting', 'exited', 'failed'), `restarts`,
 * `child`, `exit` (of the current run), `supervise()` (once the first start is ready: from then on a
 * crash restarts it with `backoff`, and `isReady()` is polled until it is back) and `stop(options
 * of stopChild)`; `onCrash(handle, delayMs)` and `onRestarted(handle)` tell.
 */
export function startSupervised(options) {
  const { backoff = RESTART_BACKOFF, readyIntervalMs = 300 } = options;
  let delayMs = backoff.initialMs;
  let supervising = false;
  let stopping = false;
  let timer;
  const handle = {
    name: options.name,
    status: 'starting',
    restarts: 0,
    child: null,
    exit: null,
    supervise() {
      supervising = true;
      handle.status = 'ready';
    },
    async stop(stopOptions) {
      stopping = true;
      clearTimeout(timer);
      return !handle.child || handle.exit ? true : stopChild(handle.child, stopOptions);
    },
  };
  const gone = () => stopping || handle.exit;

  const restart = async () => {
    handle.restarts += 1;
    handle.status = 'starting';
    start();
    await waitFor(async () => gone() || (await options.isReady().catch(() => false)), {
      intervalMs: readyIntervalMs,
    });
    if (gone()) return;
    handle.status = 'ready';
    options.onRestarted?.(handle);
  };

  const start = () => {
    const startedAt = Date.now();
    handle.exit = null;
    const { command, args, cwd, env } = options;
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    handle.child = child;
    options.attach?.(child);
    child.on('error', (err) => {
      handle.exit ??= { error: `could not start ${command}: ${err.message}` };
      if (!supervising) handle.status = 'failed';
    });
    child.on('exit', (code, signalName) => {
      handle.exit = { code, signal: signalName };
      if (stopping) return;
      if (!supervising) return void (handle.status = 'exited');
      // What the process started goes with it, or it would hold the port.
      signal(child, 'SIGKILL', true);
      if (Date.now() - startedAt >= backoff.resetAfterMs) delayMs = backoff.initialMs;
      handle.status = 'restarting';
      options.onCrash?.(handle, delayMs);
      timer = setTimeout(() => void restart(), delayMs);
      delayMs = Math.min(delayMs * 2, backoff.maxMs);
    });
  };

  start();
  return handle;
}
