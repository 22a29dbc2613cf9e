import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { until } from './fixtures';

/** The repository root. */
export const root = path.resolve(__dirname, '../..');

/** Resources to release, last acquired first. */
const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | undefined;

/** Processes to kill if the bench exits without cleaning up (a crash): a last resort. */
const lastResort: (() => ChildProcess[])[] = [];
process.on('exit', () => {
  for (const list of lastResort) {
    for (const child of list())
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
});

/** Registers processes to kill should the bench exit before {@link cleanup} stopped them. */
export function killOnExit(processes: () => ChildProcess[]): void {
  lastResort.push(processes);
}

/** Releases registered after the cleanup began, run at once. */
const late = new Set<Promise<unknown>>();

/** Registers a release to run by {@link cleanup}; once the cleanup has begun, runs it at once. */
export function onCleanup(name: string, run: () => Promise<unknown>): void {
  if (cleaning) {
    late.add(run().catch((err: unknown) => console.error(`cleanup of ${name} failed:`, err)));
    return;
  }
  cleanups.push({ name, run });
}

/**
 * Registers `release` and answers a function that runs it now; either way it runs once.
 */
export function owned(name: string, release: () => Promise<unknown>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => (done ??= release().then(() => undefined));
  onCleanup(name, once);
  return once;
}

/** Releases everything registered, last first; safe to call more than once. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        await run();
      } catch (err) {
        console.error(`cleanup of ${name} failed:`, err);
      }
    }
    cleanups.length = 0;
  })();
  return cleaning.then(() => Promise.all(late)).then(() => undefined);
}

/** Progress on the console, with the seconds since start. Throws once the cleanup has begun, so no new phase starts. */
export function log(message: string): void {
  if (cleaning) throw new Error('interrupted');
  console.log(`[bench ${(performance.now() / 1000).toFixed(1)}s] ${message}`);
}

/** The status of GET `url` on a fresh connection, or 0 when nothing answers. */
export function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
}

/** Stops a child with SIGTERM and waits for its exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Spawns a process the bench owns, registers its stop and waits until `readyUrl` answers `readyStatus`. */
export async function spawnOwned(
  name: string,
  command: string[],
  env: Record<string, string>,
  ready: { url: string; status: number },
): Promise<ChildProcess> {
  const [executable, ...rest] = command;
  if (!executable) throw new Error('empty command');
  const child = spawn(executable, rest, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  onCleanup(name, () => stopChild(child));
  killOnExit(() => [child]);
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
      return (await probe(ready.url)) === ready.status;
    },
    20_000,
    `${name} to be ready`,
    20,
  );
  return child;
}

/** Resident set size of a process in MiB (VmRSS). */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}
