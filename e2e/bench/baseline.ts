import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTestDatabase, type TestUser } from '@glotixz/common/testing';
import { freePort } from '../test/support/ports';
import { cpuMeter, postgresBackends } from './cpu';
import { postJson } from './fixtures';
import { owned, spawnOwned, stopChild } from './harness';
import { runLoad, send, type LoadRequest, type LoadResult } from './load';

/** The settings of the closed-loop runs. */
export interface LoadSettings {
  connections: number;
  warmupMs: number;
  durationMs: number;
}

/** A load result with the CPU time each group of processes spent per request in the window. */
export interface MeteredLoad extends LoadResult {
  cpuMsPerRequest: Record<string, number>;
}

/** Requests sent all at once, each on a connection of its own (up to `maxSockets`). */
export interface Burst {
  requests: number;
  /** First request sent → last answer read. */
  answeredMs: number;
  statuses: Record<string, number>;
}

/** Sends `requests` at once through a non-keep-alive agent of `maxSockets` connections. */
export async function burst(origin: string, requests: LoadRequest[], maxSockets = 1000): Promise<Burst> {
  const agent = new http.Agent({ keepAlive: false, maxSockets });
  const url = new URL(origin);
  const statuses: Record<string, number> = {};
  const started = performance.now();
  try {
    await Promise.all(
      requests.map(async (request) => {
        let key = 'error';
        try {
          key = String((await send(agent, url, request)).status);
        } catch {
          // counted as an error
        }
        statuses[key] = (statuses[key] ?? 0) + 1;
      }),
    );
  } finally {
    agent.destroy();
  }
  return { requests: requests.length, answeredMs: performance.now() - started, statuses };
}

/** What the baseline measured: its closed-loop throughput and CPU, and a burst. */
export interface BaselineFigures extends MeteredLoad {
  /** The flash sale's yardstick: `burstRequests` requests at once. */
  burst: Burst;
}

/** A running baseline server on a database of its own. */
export interface BaselineServer {
  url: string;
  pid: number | undefined;
  databaseUrl: string;
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

/** Starts baseline-server.ts (node:http + one INSERT through a pg Pool of `poolSize`) on its own database. */
export async function startBaseline(poolSize: number): Promise<BaselineServer> {
  const database = await createTestDatabase();
  const dropDatabase = owned('baseline database', () => database.drop());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnOwned(
    'baseline server',
    [process.execPath, '--import', 'tsx', path.join(__dirname, 'baseline-server.ts')],
    {
      BASELINE_DATABASE_URL: database.url,
      BASELINE_PORT: String(port),
      BASELINE_POOL_SIZE: String(poolSize),
    },
    { url, status: 200 },
  );
  return {
    url,
    pid: child.pid,
    databaseUrl: database.url,
    async stop() {
      await stopChild(child);
      await dropDatabase();
    },
  };
}

/**
 * The baseline: baseline-server.ts (node:http + one INSERT through a pg Pool of `poolSize`) on
 * its own database, under the closed-loop load of the order runs with the same request, then a
 * burst of `burstRequests` requests sent as the flash sale's buyers send theirs.
 */
export async function baselineFigures(
  settings: LoadSettings,
  poolSize: number,
  buyers: TestUser[],
  burstRequests = 2000,
): Promise<BaselineFigures> {
  const server = await startBaseline(poolSize);
  const { url } = server;
  const meter = cpuMeter(async () => ({
    'baseline server': server.pid === undefined ? [] : [server.pid],
    postgres: await postgresBackends([server.databaseUrl]),
    'load generator': [process.pid],
  }));
  const order = (n: number) =>
    postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId: crypto.randomUUID() });
  try {
    const result = await runLoad({
      url,
      ...settings,
      onMeasureStart: () => meter.start(),
      request: order,
    });
    const cpuMsPerRequest = await meter.stop(result.completed);
    const sale = await burst(
      url,
      Array.from({ length: burstRequests }, (_, n) => order(n)),
    );
    return { ...result, cpuMsPerRequest, burst: sale };
  } finally {
    await server.stop();
  }
}
