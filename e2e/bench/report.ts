import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { ServiceName } from '../test/support/system';
import type { BaselineFigures, LoadSettings } from './baseline';
import type { ExpiryFigures, FlashSale } from './flash';
import { floorRows, type Floors } from './floor';
import type { GatewayOverhead, OrdersDirect, OrdersThroughput } from './orders';
import { PUBLISH_IN_FLIGHT, type PublishFigures } from './nats-publish';
import type { ProcessProfile } from './profile';
import type { ScaleFigures } from './scale-out';
import { SEARCH_TARGET_P99_MS, type SearchFigures } from './search';
import { round, type Distribution } from './stats';
import { CATCH_UP_TARGET_MS, LAG_TARGET_P99_MS, lagText, type SustainableFigures } from './sustainable';
import type { ServiceFigures } from './system-figures';

/** The targets of the performance issue, as ratios to the baseline of the same run where they are. */
export const targets = {
  /** 1: direct order throughput ≥ this × the baseline's. */
  directThroughput: 0.5,
  /** 2: CPU per order across the pipeline ≤ this × the baseline request's. */
  cpuPerOrder: 6,
  /** 5: the gateway's CPU per proxied request ≤ this × the baseline request's. */
  gatewayCpu: 0.5,
  /** 6: idle RSS of each service, MB. */
  idleRssMb: 80,
  /** 6: the flash sale's buyers; the baseline's burst is twice as many requests. */
  flashSaleBuyers: 1000,
} as const;

/** Where the machine and the code were when the figures were taken. */
export interface MachineInfo {
  date: string;
  commit: string;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  platform: string;
}

/** CPU time per request: the sum and each group of processes, largest first. */
export interface CpuBreakdown {
  totalMs: number;
  byProcess: Record<string, number>;
}

/** Everything one run measured. */
export interface Figures {
  machine: MachineInfo;
  settings: LoadSettings & { poolSize: number };
  baseline: BaselineFigures;
  /** Target 1: orders' own port, its consumers stopped. */
  direct: OrdersDirect & { ratio: number };
  /** Target 2: the whole pipeline through the gateway; `catchUpMs` after the run. */
  full: OrdersThroughput & { catchUpMs: number };
  /** CPU ms per order (per request for the baseline), in total and by process. */
  cpuPerOrder: {
    full: CpuBreakdown;
    direct: CpuBreakdown;
    baseline: CpuBreakdown;
    /** MailDev and the Stripe sandbox during the full run, not in `full`. */
    outside: CpuBreakdown;
    /** full / baseline. */
    ratio: number;
  };
  /** Targets 3 and 4; `ratio`: the sustainable rate / the baseline's throughput. */
  sustainable: SustainableFigures & { ratio: number };
  /** Target 5; `ratio`: the gateway's CPU per request / the baseline request's. */
  gateway: GatewayOverhead & { ratio: number };
  flashSales: FlashSale[];
  /** `ticket.created` → orders replica without load. */
  propagationIdle: Distribution;
  expiry: ExpiryFigures;
  /** The tickets service's search and event-page queries over a seeded catalogue. */
  search: SearchFigures;
  /** One vs two processes per service, the NATS stream leader's death, the cluster's sync setting. */
  scale: ScaleFigures;
  services: Record<ServiceName, ServiceFigures>;
  /** Self time by function per process during the full order run. */
  profiles: ProcessProfile[];
  /** The least code doing what targets 1, 5 and 6 measure, on the same machine and runtime. */
  floors: Floors;
}

/** Sums and orders a CPU-per-request measurement. */
export function cpuBreakdown(perRequest: Record<string, number>): CpuBreakdown {
  const parts = Object.entries(perRequest)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1]);
  return {
    totalMs: parts.reduce((sum, [, v]) => sum + v, 0),
    byProcess: Object.fromEntries(parts),
  };
}

/** One line of the results table. */
export interface Row {
  metric: string;
  value: string;
  target: string;
  /** null where there is no target. */
  pass: boolean | null;
}

/** Describes the machine and the checked-out commit. */
export function machineInfo(root: string): MachineInfo {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  };
}

export const ms = (value: number) =>
  Number.isFinite(value) ? `${round(value, value < 10 ? 1 : 0)} ms` : 'never (timed out)';
const pair = (d: Distribution) => `${ms(d.p50)} / ${ms(d.p99)}`;
/** "0.52×"; small ratios keep their first two significant digits ("0.0034×"). */
const times = (ratio: number) =>
  `${Number.isFinite(ratio) && ratio > 0 && ratio < 0.1 ? Number(ratio.toPrecision(2)) : round(ratio, 2)}×`;
const rps = (value: number) => `${Math.round(value)} req/s`;

/** "9.8 ms: orders 4.6, tickets 1.8, …", largest first. */
function cpu(perRequest: Record<string, number>): string {
  const { totalMs, byProcess } = cpuBreakdown(perRequest);
  return `${round(totalMs, 2)} ms: ${Object.entries(byProcess)
    .map(([k, v]) => `${k} ${round(v, 2)}`)
    .join(', ')}`;
}

const ranOut = (windowMs: number, settings: LoadSettings) =>
  windowMs < settings.durationMs ? ` (${round(windowMs / 1000)} s: tickets ran out)` : '';

/** Targets 1 and 2, and the rows that explain them. */
function throughputRows(f: Figures): Row[] {
  const { baseline, direct, full, cpuPerOrder } = f;
  return [
    {
      metric: '1. POST /api/orders on orders itself, consumers stopped',
      value: `${rps(direct.rps)} = ${times(direct.ratio)} baseline${ranOut(direct.windowMs, f.settings)}`,
      target: `≥ ${targets.directThroughput}× (${rps(targets.directThroughput * baseline.rps)})`,
      pass: direct.ratio >= targets.directThroughput,
    },
    {
      metric: '1. … after the restart: orders created / tickets reserved / in payments',
      value: `${direct.created} / ${direct.reserved} / ${direct.payable}, caught up in ${ms(direct.catchUpMs)}`,
      target: 'none lost',
      pass: direct.nothingLost,
    },
    { metric: '   direct: latency p50 / p99', value: pair(direct.latency), target: '–', pass: null },
    {
      metric: '   direct: CPU per order, by process',
      value: cpu(direct.cpuMsPerRequest),
      target: '–',
      pass: null,
    },
    {
      metric: 'Baseline: node:http + one INSERT (pool of 10)',
      value: `${rps(baseline.rps)}, p50 / p99 ${pair(baseline.latency)}`,
      target: '–',
      pass: null,
    },
    {
      metric: '   baseline: CPU per request, by process',
      value: cpu(baseline.cpuMsPerRequest),
      target: '–',
      pass: null,
    },
    {
      metric: '2. CPU per order, whole pipeline through the gateway',
      value: `${round(cpuPerOrder.full.totalMs, 2)} ms = ${times(cpuPerOrder.ratio)} baseline (${round(cpuPerOrder.baseline.totalMs, 2)} ms)`,
      target: `≤ ${targets.cpuPerOrder}×`,
      pass: cpuPerOrder.ratio <= targets.cpuPerOrder,
    },
    {
      metric: '   full run: CPU per order, by process',
      value: cpu(full.cpuMsPerRequest),
      target: '–',
      pass: null,
    },
    {
      metric: '   full run: not counted (stand-ins for SMTP and Stripe)',
      value: cpu(full.outsideCpuMsPerRequest),
      target: '–',
      pass: null,
    },
    {
      metric: '   full run: orders through the gateway, latency p50 / p99',
      value: `${rps(full.rps)}${ranOut(full.windowMs, f.settings)}, ${pair(full.latency)}`,
      target: '–',
      pass: null,
    },
    { metric: '   full run: events caught up after it', value: ms(full.catchUpMs), target: '–', pass: null },
  ];
}

/** Targets 3 and 4 and the steps of the search. */
function lagRows(f: Figures): Row[] {
  const { sustainable: s } = f;
  const m = s.measured;
  const at = `at ${Math.round(m.rate)} orders/s offered`;
  return [
    {
      metric: `3. ticket.created → orders replica p50 / p99, ${at}`,
      value: pair(m.ticketLag),
      target: `p99 ≤ ${LAG_TARGET_P99_MS} ms`,
      pass: m.ticketLag.p99 <= LAG_TARGET_P99_MS,
    },
    {
      metric: `3. order.created → ticket reserved p50 / p99, ${at}`,
      value: pair(m.orderLag),
      target: `p99 ≤ ${LAG_TARGET_P99_MS} ms`,
      pass: m.orderLag.p99 <= LAG_TARGET_P99_MS,
    },
    {
      metric: '3. caught up after the load stopped',
      value: `${ms(m.catchUpMs)}${m.pass ? '' : ` (${m.failure})`}`,
      target: `≤ ${CATCH_UP_TARGET_MS} ms`,
      pass: m.catchUpMs <= CATCH_UP_TARGET_MS,
    },
    {
      metric: '4. sustainable order rate (open loop through the gateway)',
      value: `${Math.round(s.sustainableRps)} orders/s = ${times(s.ratio)} baseline`,
      target: `found (lag p99 ≤ ${LAG_TARGET_P99_MS} ms)`,
      pass: s.sustainableRps > 0,
    },
    {
      metric: '   steps: offered → answered/s, lag p99 order / ticket',
      value: s.steps
        .map(
          (st) =>
            `${Math.round(st.rate)}→${Math.round(st.answeredRps)} ${lagText(st.orderLag.p99)} / ${lagText(st.ticketLag.p99)} ${st.pass ? 'ok' : 'FAIL'}`,
        )
        .join(', '),
      target: '–',
      pass: null,
    },
    {
      metric: '   ticket.created → orders replica, idle, p50 / p99',
      value: pair(f.propagationIdle),
      target: '–',
      pass: null,
    },
  ];
}

/** Targets 5 and 6. */
function gatewayAndSaleRows(f: Figures): Row[] {
  const g = f.gateway;
  const list: Row[] = [
    {
      metric: '5. gateway CPU per proxied request (GET currentuser, no cookie)',
      value: `${round(g.gatewayCpuMs, 3)} ms = ${times(g.ratio)} baseline request; ${rps(g.rps)}`,
      target: `≤ ${targets.gatewayCpu}×`,
      pass: g.ratio <= targets.gatewayCpu,
    },
    {
      metric: '   gateway run: CPU per request, by process',
      value: cpu(g.cpuMsPerRequest),
      target: '–',
      pass: null,
    },
  ];
  const yardstick = f.baseline.burst;
  for (const sale of f.flashSales) {
    const target = sale.buyers === targets.flashSaleBuyers && sale.tickets === 1;
    list.push({
      metric: `${target ? '6. ' : '   '}flash sale: ${sale.buyers} buyers, ${sale.tickets} ticket${sale.tickets === 1 ? '' : 's'}: answered / settled`,
      value: `${ms(sale.answeredMs)} / ${ms(sale.settledMs)}${sale.consistent ? '' : ` ${JSON.stringify(sale.statuses)}`}`,
      target: target ? `all answered, ≤ ${ms(yardstick.answeredMs)}` : 'one order per ticket',
      pass: target
        ? sale.allAnswered && sale.consistent && sale.answeredMs <= yardstick.answeredMs
        : sale.consistent,
    });
  }
  list.push({
    metric: `   baseline: ${yardstick.requests} requests at once answered`,
    value: `${ms(yardstick.answeredMs)} ${JSON.stringify(yardstick.statuses)}`,
    target: '–',
    pass: null,
  });
  for (const [name, s] of Object.entries(f.services)) {
    list.push({
      metric: `6. ${name}: idle RSS (3 s after start; ready in)`,
      value: `${Math.round(s.rssMb)} MB (${Math.round(s.startRssMb)} MB; ${ms(s.readyMs)})`,
      target: `≤ ${targets.idleRssMb} MB`,
      pass: s.rssMb <= targets.idleRssMb,
    });
  }
  return list;
}

/** The results table: the performance targets 1–6 in order, then the other figures. */
export function rows(f: Figures): Row[] {
  return [
    ...throughputRows(f),
    ...lagRows(f),
    ...gatewayAndSaleRows(f),
    ...floorRows(f.floors, f.baseline),
    {
      metric: `Expiry lateness (${f.expiry.lateness.count} orders, ${f.expiry.windowSeconds} s window) p50 / p99`,
      value: pair(f.expiry.lateness),
      target: 'p99 ≤ 1000 ms',
      pass: f.expiry.lateness.p99 <= 1000,
    },
    ...searchRows(f.search),
    ...scaleRows(f.scale),
  ];
}

/** The rows of the tickets search benchmark, alone (`--only search`) or with the others. */
export function searchRows(s: SearchFigures): Row[] {
  return s.queries.map((q) => ({
    metric: `Tickets at ${s.listings.toLocaleString('en')} listings in ${s.events.toLocaleString('en')} events: ${q.name} p50 / p99`,
    value: `${pair(q.latency)}${q.found < s.samples ? ` (${q.found}/${s.samples} found)` : ''}`,
    target: `p99 ≤ ${SEARCH_TARGET_P99_MS} ms`,
    pass: q.latency.p99 <= SEARCH_TARGET_P99_MS,
  }));
}

/** "1597 ms before the kill", "212 ms after the kill". */
const sinceKill = (offset: number) => `${ms(Math.abs(offset))} ${offset < 0 ? 'before' : 'after'} the kill`;

const statusText = (statuses: Record<string, number>) =>
  Object.keys(statuses).length === 0 ? 'none' : JSON.stringify(statuses);

/** A publish row: the rate, or that the server refused the setting, in its own words. */
function publishRow(p: PublishFigures): Row {
  const setting = p.jetstream.length > 0 ? p.jetstream.join(', ') : "the server's default sync";
  let value: string;
  if (p.rejected !== undefined)
    value = `refused by ${p.server.replace(/^nats-server: /, 'nats-server ')}: ${p.rejected}`;
  else if (p.rate) {
    value = `${Math.round(p.rate.rps)} publishes/s, ack p50 / p99 ${pair(p.rate.latency)}${p.rate.failed > 0 ? `, ${p.rate.failed} failed` : ''}`;
  } else value = 'not measured';
  return {
    metric: `NATS cluster, ${setting}: acknowledged publishes/s, 1 publisher, ${PUBLISH_IN_FLIGHT} in flight, 3-replica stream`,
    value,
    target: '–',
    pass: null,
  };
}

/** The scale-out rows (`--only scale`, or with the others): informational but for none lost. */
export function scaleRows(s: ScaleFigures): Row[] {
  const list: Row[] = s.runs.map((run) => ({
    metric: `Scale-out: orders through the gateway, ${run.replicas} process${run.replicas === 1 ? '' : 'es'} per service (NATS: ${s.nats})`,
    value: `${rps(run.rps)}${run.replicas > 1 ? ` = ${times(s.ratio)} one per service (${s.cpus} CPUs)` : ''}, p50 / p99 ${pair(run.latency)}, CPU ${round(run.cpuMsPerOrder, 2)} ms per order`,
    target: '–',
    pass: null,
  }));
  const f = s.failover;
  if (f) {
    const failed = Object.values(f.failed).reduce((sum, n) => sum + n, 0);
    list.push(
      {
        metric: `Failover: orders stream leader killed (-9), 2 per service, ${f.rate} orders/s offered: longest time without a 201, ${round(f.beforeMs / 1000)} s before to ${round(f.afterMs / 1000)} s after`,
        value: `${ms(f.answers.longestMs)}, from ${sinceKill(f.answers.startMs)} (before the kill alone: ${ms(f.answersBefore.longestMs)})`,
        target: '–',
        pass: null,
      },
      {
        metric: '   failover: requests failed in that window; latency p50 / p99 over the run',
        value: `${failed} of ${f.answered}${failed > 0 ? ` ${statusText(f.failed)}` : ''}; ${pair(f.latency)}`,
        target: '–',
        pass: null,
      },
      {
        metric: `   failover: new leader of the stream; longest time without an order.created stored`,
        value: `${f.newLeader} after ${ms(f.electedMs)}; ${ms(f.events.longestMs)}, from ${sinceKill(f.events.startMs)} (before the kill alone: ${ms(f.eventsBefore.longestMs)})`,
        target: '–',
        pass: null,
      },
      {
        metric: `   failover: ${f.killed} restarted; orders created / tickets reserved / in payments`,
        value: `${f.reached.created} / ${f.reached.reserved} / ${f.reached.payable}, caught up in ${ms(f.caughtUpMs)}`,
        target: 'none lost',
        pass: f.reached.nothingLost,
      },
    );
  } else {
    list.push({
      metric: 'Failover: orders stream leader killed under load',
      value: `not run: ${s.skipped ?? 'no cluster'}`,
      target: '–',
      pass: null,
    });
  }
  list.push(...s.publish.map(publishRow));
  return list;
}

export const verdict = (pass: boolean | null) => (pass === null ? '' : pass ? 'pass' : 'FAIL');

/** The table for the console. */
export function consoleTable(list: Row[]): string {
  const header = ['metric', 'value', 'target', ''];
  const cells = [header, ...list.map((r) => [r.metric, r.value, r.target, verdict(r.pass)])];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
