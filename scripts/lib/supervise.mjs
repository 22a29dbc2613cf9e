/**
 * Keeps a service of the local stack running: once it has been ready, a crash (any exit the
 * runner did not ask for) restarts it after a backoff that starts at 0.5 s and doubles up to 30 s,
 * back to 0.5 s once a run has stayed up for a minute. Nothing restarts after `stop()`.
 */
import { spawn } from 'node:child_process';
import { stopChild } from './proc.mjs';

export const RESTART_BACKOFF = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** "exit code 1" or "killed by SIGKILL". */
export function describeExit(exit) {
  if (!exit) return 'running';
  if (exit.error) return exit.error;
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Starts `command` and supervises it.
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
      if (!handle.child || handle.exit) return true;
      return stopChild(handle.child, stopOptions);
    },
  };

  const pollReady = async () => {
    while (!stopping && !handle.exit) {
      if (await options.isReady().catch(() => false)) {
        if (stopping || handle.exit) return;
        handle.status = 'ready';
        options.onRestarted?.(handle);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, readyIntervalMs));
    }
  };

  const run = () => {
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
      if (!supervising) {
        handle.status = 'exited';
        return;
      }
      // What the process started (`npm` runs `next`) goes with it, or it would hold the port.
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
        run();
        pollReady().catch(() => {});
      }, delayMs);
      delayMs = Math.min(delayMs * 2, backoff.maxMs);
    });
  };

  run();
  return handle;
}
