/**
 * Processes for the local stack runner: run a command to completion, find a binary, poll until a
 * condition holds, stop a child within a grace period, and keep a service running: once it has
 * been ready, a crash (any exit the runner did not ask for) restarts it after a backoff that
 * starts at 0.5 s and doubles up to 30 s, back to 0.5 s once a run has stayed up for a minute.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const RESTART_BACKOFF = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** Children started through `run`, so an interrupted runner can stop them. */
const running = new Set();

export const isRoot = () => process.getuid?.() === 0;

/** Finds an executable file on PATH or in the sbin folders (which a normal user's PATH may lack). */
export async function which(bin) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const file of dirs.filter(Boolean).map((dir) => join(dir, bin))) {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && stat.mode & 0o111) return file;
  }
  return null;
}

/**
 * Runs a command to completion: `{ code, output }`, `output` holding stdout and stderr when
 * `capture` is set (otherwise both go to the terminal). Rejects only when it cannot start.
 */
export function run(cmd, args, { cwd, env, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    });
    running.add(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
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
export const terminateRunning = () => running.forEach((child) => child.kill('SIGTERM'));

const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Resolves once the child has exited (at once if it has). */
export const exited = (child) =>
  hasExited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * SIGTERM, then SIGKILL after `timeoutMs`; with `group`, to the child's whole process group (it
 * must have been spawned detached). Resolves true if it stopped in time.
 */
export async function stopChild(child, { timeoutMs = 10_000, group = false } = {}) {
  if (hasExited(child)) return true;
  const signal = (name) => {
    try {
      if (group) process.kill(-child.pid, name);
      else child.kill(name);
    } catch (err) {
      if (err.code !== 'ESRCH') throw err;
    }
  };
  signal('SIGTERM');
  const inTime = await Promise.race([
    exited(child).then(() => true),
    sleep(timeoutMs, false, { ref: false }),
  ]);
  if (!inTime) {
    signal('SIGKILL');
    await exited(child);
  }
  return inTime;
}

/** Calls `check` every `intervalMs` until it answers a truthy value; throws `onTimeout()` after `timeoutMs`. */
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
  return readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (cmdline) => cmdline.includes(name),
    () => true,
  );
}

/** The last `count` lines of a text file, or '' if it can't be read. */
export async function tail(file, count = 20) {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** "exit code 1" or "killed by SIGKILL". */
export function describeExit(exit) {
  if (!exit) return 'running';
  return exit.error ?? (exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`);
}

/**
 * Starts `command` in its own process group and supervises it.
 * @param {{ name: string, command: string, args: string[], cwd: string, env: object,
 *   attach?: (child: import('node:child_process').ChildProcess) => void,
 *   isReady: () => Promise<boolean>, readyIntervalMs?: number,
 *   onCrash?: (handle: object, delayMs: number) => void, onRestarted?: (handle: object) => void,
 *   backoff?: typeof RESTART_BACKOFF }} options
 * @returns the handle: `status` ('starting', 'ready', 'restarting', 'exited', 'failed'),
 *   `restarts`, `child`, `exit` (of the current run, null while it runs), `supervise()` (turns
 *   restarts on; the runner calls it once the first start is ready) and `stop()`.
 */
export function startSupervised(options) {
  const { backoff = RESTART_BACKOFF, readyIntervalMs = 300 } = options;
  let delayMs = backoff.initialMs;
  let supervising = false;
  let stopping = false;
  let timer;
  let startedAt = 0;
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

  const pollReady = async () => {
    while (!stopping && !handle.exit) {
      if (await options.isReady().catch(() => false)) {
        if (stopping || handle.exit) return;
        handle.status = 'ready';
        return options.onRestarted?.(handle);
      }
      await sleep(readyIntervalMs);
    }
  };

  const start = () => {
    startedAt = Date.now();
    handle.exit = null;
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    handle.child = child;
    options.attach?.(child);
    child.on('error', (err) => {
      handle.exit ??= { error: `could not start ${options.command}: ${err.message}` };
      if (!supervising) handle.status = 'failed';
    });
    child.on('exit', (code, signal) => {
      handle.exit = { code, signal };
      if (stopping) return;
      if (!supervising) return void (handle.status = 'exited');
      // What the process started goes with it, or it would hold the port.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
      if (Date.now() - startedAt >= backoff.resetAfterMs) delayMs = backoff.initialMs;
      handle.status = 'restarting';
      options.onCrash?.(handle, delayMs);
      timer = setTimeout(() => {
        if (stopping) return;
        handle.restarts += 1;
        handle.status = 'starting';
        start();
        pollReady().catch(() => {});
      }, delayMs);
      delayMs = Math.min(delayMs * 2, backoff.maxMs);
    });
  };

  start();
  return handle;
}
