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

/** CPU time (user + system, ms) used so far by each group. */
export function cpuSnapshot(groups: ProcessGroups): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [label, pids] of Object.entries(groups)) {
    result[label] = pids.reduce((sum, pid) => sum + (cpuMsOf(pid) || 0), 0);
  }
  return result;
}

/** CPU ms per request of each group between two snapshots. */
export function cpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [label, start] of Object.entries(before)) {
    result[label] = requests > 0 ? ((after[label] ?? start) - start) / requests : Number.NaN;
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

/** Measures CPU per request of process groups over a window that starts and stops asynchronously. */
export function cpuMeter(resolve: () => Promise<ProcessGroups>) {
  let started: Promise<{ groups: ProcessGroups; before: Record<string, number> }> | undefined;
  return {
    /** Starts the window (resolving the groups first, e.g. the Postgres backends now connected). */
    start(): void {
      started = resolve().then((groups) => ({ groups, before: cpuSnapshot(groups) }));
    },
    /** Ends the window: CPU ms per request of each group. */
    async stop(requests: number): Promise<Record<string, number>> {
      if (!started) return {};
      const { groups, before } = await started;
      return cpuPerRequest(before, cpuSnapshot(groups), requests);
    },
  };
}

/**
 * The pid of the nats-server process listening on `natsUrl`'s port (its `-p`/`--port`, 4222 by
 * default), found by its command line in /proc; undefined when none is visible (another host, a
 * container).
 */
export function natsServerPid(natsUrl: string): number | undefined {
  const port = new URL(natsUrl).port || '4222';
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
    if (listens === port) return Number(entry);
  }
  return undefined;
}
