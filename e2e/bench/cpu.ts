import { readdirSync, readFileSync } from 'node:fs';
import { connectedClient } from './fixtures';

/** Groups of processes whose CPU time is counted together, by label. */
export type ProcessGroups = Record<string, number[]>;

const ticksPerSecond = 100;

function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system, ms) used so far by each process of each group; NaN for one gone. */
export type CpuSnapshot = Record<string, Map<number, number>>;

/** Reads the CPU time of every process of `groups`. */
export function cpuSnapshot(groups: ProcessGroups): CpuSnapshot {
  const result: CpuSnapshot = {};
  for (const [label, pids] of Object.entries(groups)) {
    result[label] = new Map(pids.map((pid) => [pid, cpuMsOf(pid)]));
  }
  return result;
}

/**
 * CPU ms each group used between two snapshots. A process only in `after` (a Postgres backend a
 * pool opened meanwhile) counts from 0; one gone by `after` (a backend a pool closed) is left out,
 * as its last use cannot be read any more.
 */
export function cpuUsed(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [label, pids] of Object.entries(after)) {
    let sum = 0;
    for (const [pid, end] of pids) {
      const start = before[label]?.get(pid) ?? 0;
      if (Number.isFinite(end) && Number.isFinite(start)) sum += end - start;
    }
    result[label] = sum;
  }
  return result;
}

/** Each group's processes in `a` or `b`. */
function union(a: ProcessGroups, b: ProcessGroups): ProcessGroups {
  const result: ProcessGroups = {};
  for (const label of new Set([...Object.keys(a), ...Object.keys(b)])) {
    result[label] = [...new Set([...(a[label] ?? []), ...(b[label] ?? [])])];
  }
  return result;
}

/** The Postgres backends serving the databases at `urls` (all on one server). */
export async function postgresBackends(urls: string[]): Promise<number[]> {
  const [first] = urls;
  if (!first) return [];
  const names = urls.map((u) => new URL(u).pathname.slice(1));
  const client = connectedClient(first);
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = any($1::text[]) and pid <> pg_backend_pid()',
      [names],
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/**
 * Measures CPU per request of process groups over a window that starts and stops asynchronously.
 * The groups are resolved at both ends (e.g. the Postgres backends connected then), so processes
 * that appeared meanwhile count too.
 */
export function cpuMeter(resolve: () => Promise<ProcessGroups>) {
  let started: Promise<{ groups: ProcessGroups; before: CpuSnapshot }> | undefined;
  return {
    /** Starts the window. */
    start(): void {
      started = resolve().then((groups) => ({ groups, before: cpuSnapshot(groups) }));
    },
    /** Ends the window: CPU ms per request of each group. */
    async stop(requests: number): Promise<Record<string, number>> {
      if (!started) return {};
      const { groups, before } = await started;
      const used = cpuUsed(before, cpuSnapshot(union(groups, await resolve())));
      return Object.fromEntries(
        Object.entries(used).map(([label, ms]) => [label, requests > 0 ? ms / requests : Number.NaN]),
      );
    },
  };
}

/**
 * The pids of the nats-server processes listening on the ports of `natsUrl` (one URL, or a
 * cluster's separated by commas; a server's `-p`/`--port`, 4222 by default), found by their command
 * lines in /proc; none visible on another host or in a container.
 */
export function natsServerPids(natsUrl: string): number[] {
  const ports = new Set(natsUrl.split(',').map((url) => new URL(url.trim()).port || '4222'));
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('nats-server')) continue;
    const flag = argv.findIndex((a) => a === '-p' || a === '--port');
    const listens = flag < 0 ? '4222' : argv[flag + 1];
    if (listens !== undefined && ports.has(listens)) pids.push(Number(entry));
  }
  return pids;
}
