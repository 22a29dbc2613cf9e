import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceName } from '../test/support/system';
import type {
  ExpiryFigures,
  FlashSale,
  LoadSettings,
  MeteredLoad,
  OrdersPathAlone,
  OrdersThroughput,
  ServiceFigures,
} from './measure';
import { SEARCH_TARGET_P99_MS, type SearchFigures } from './search';
import { round, type Distribution } from './stats';

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

/** Everything one run measured. */
export interface Figures {
  machine: MachineInfo;
  settings: LoadSettings & { poolSize: number };
  throughput: {
    orders: OrdersThroughput;
    baseline: MeteredLoad;
    ratio: number;
    /** From the end of the order run until every outbox and consumer had caught up. */
    catchUpMs: number;
    /** Diagnostic, not the target: the same load with tickets, payments and expiration stopped. */
    alone: OrdersPathAlone & { ratio: number };
  };
  /** CPU ms per order (per request for the baseline), in total and by process. */
  cpuPerOrder: Record<'full' | 'alone' | 'baseline', CpuBreakdown>;
  propagation: { idle: Distribution; underLoad: Distribution };
  flashSales: FlashSale[];
  expiry: ExpiryFigures;
  /** The tickets service's search and event-page queries over a seeded catalogue. */
  search: SearchFigures;
  services: Record<ServiceName, ServiceFigures>;
}

/** CPU time per request: the sum and each group of processes, largest first. */
export interface CpuBreakdown {
  totalMs: number;
  byProcess: Record<string, number>;
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

const ms = (value: number) => `${round(value, value < 10 ? 1 : 0)} ms`;
const pair = (d: Distribution) => `${ms(d.p50)} / ${ms(d.p99)}`;

/** The results table. */
export function rows(f: Figures): Row[] {
  const { orders, baseline, ratio, alone } = f.throughput;
  const list: Row[] = [
    {
      metric: 'Order creation through the gateway',
      value: `${Math.round(orders.rps)} req/s${orders.windowMs < f.settings.durationMs ? ` (${round(orders.windowMs / 1000)} s: tickets ran out)` : ''}`,
      target: '≥ 0.5× baseline',
      pass: ratio >= 0.5,
    },
    {
      metric: 'Baseline: node:http + one INSERT',
      value: `${Math.round(baseline.rps)} req/s`,
      target: '–',
      pass: null,
    },
    { metric: 'Orders / baseline', value: `${round(ratio, 2)}×`, target: '≥ 0.5×', pass: ratio >= 0.5 },
    { metric: 'Order creation latency p50 / p99', value: pair(orders.latency), target: '–', pass: null },
    { metric: 'Baseline latency p50 / p99', value: pair(baseline.latency), target: '–', pass: null },
    {
      metric: 'CPU per created order, by process',
      value: cpu(orders.cpuMsPerRequest),
      target: '–',
      pass: null,
    },
    {
      metric: 'CPU per baseline request, by process',
      value: cpu(baseline.cpuMsPerRequest),
      target: '–',
      pass: null,
    },
    {
      metric: 'Diagnostic: order path alone (tickets, payments, expiration stopped)',
      value: `${Math.round(alone.rps)} req/s, ${round(alone.ratio, 2)}× baseline${alone.windowMs < f.settings.durationMs ? ` (${round(alone.windowMs / 1000)} s: tickets ran out)` : ''}`,
      target: 'diagnostic',
      pass: null,
    },
    { metric: 'Diagnostic: latency p50 / p99', value: pair(alone.latency), target: 'diagnostic', pass: null },
    {
      metric: 'Diagnostic: CPU per created order, by process',
      value: cpu(alone.cpuMsPerRequest),
      target: 'diagnostic',
      pass: null,
    },
    {
      metric: 'Diagnostic: after the restart, orders created / tickets reserved / in payments',
      value: `${alone.created} / ${alone.reserved} / ${alone.payable}, caught up in ${ms(alone.catchUpMs)}`,
      target: 'none lost',
      pass: alone.nothingLost,
    },
    {
      metric: 'ticket.created → orders replica, idle, p50 / p99',
      value: pair(f.propagation.idle),
      target: 'p99 ≤ 50 ms',
      pass: f.propagation.idle.p99 <= 50,
    },
    {
      metric: 'ticket.created → orders replica, under load, p50 / p99',
      value: pair(f.propagation.underLoad),
      target: '–',
      pass: null,
    },
    {
      metric: 'Events caught up after the order run',
      value: ms(f.throughput.catchUpMs),
      target: '–',
      pass: null,
    },
  ];
  for (const sale of f.flashSales) {
    list.push({
      metric: `Flash sale: ${sale.buyers} buyers, ${sale.tickets} ticket${sale.tickets === 1 ? '' : 's'}: answered / settled`,
      value: `${ms(sale.answeredMs)} / ${ms(sale.settledMs)}`,
      target: 'one order per ticket',
      pass: sale.consistent,
    });
  }
  list.push({
    metric: `Expiry lateness (${f.expiry.lateness.count} orders, ${f.expiry.windowSeconds} s window) p50 / p99`,
    value: pair(f.expiry.lateness),
    target: 'p99 ≤ 1000 ms',
    pass: f.expiry.lateness.p99 <= 1000,
  });
  list.push(...searchRows(f.search));
  for (const [name, s] of Object.entries(f.services)) {
    list.push({
      metric: `${name}: ready / idle RSS`,
      value: `${ms(s.readyMs)} / ${Math.round(s.rssMb)} MB`,
      target: '–',
      pass: null,
    });
  }
  return list;
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

/** "9.8 ms: orders 4.6, tickets 1.8, …", largest first. */
function cpu(perRequest: Record<string, number>): string {
  const { totalMs, byProcess } = cpuBreakdown(perRequest);
  return `${round(totalMs, 2)} ms: ${Object.entries(byProcess)
    .map(([k, v]) => `${k} ${round(v, 2)}`)
    .join(', ')}`;
}

const verdict = (pass: boolean | null) => (pass === null ? '' : pass ? 'pass' : 'FAIL');

/** The table for the console. */
export function consoleTable(list: Row[]): string {
  const header = ['metric', 'value', 'target', ''];
  const cells = [header, ...list.map((r) => [r.metric, r.value, r.target, verdict(r.pass)])];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The table for the README, with the machine it ran on. */
export function markdown(f: Figures, list: Row[]): string {
  const m = f.machine;
  const head = `Measured ${m.date.slice(0, 10)} at \`${m.commit}\` on ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}; ${f.settings.connections} keep-alive connections, ${f.settings.warmupMs / 1000} s warm-up, ${f.settings.durationMs / 1000} s measured.`;
  const table = [
    '| metric | value | target | |',
    '| --- | --- | --- | --- |',
    ...list.map((r) => `| ${r.metric} | ${r.value} | ${r.target} | ${verdict(r.pass)} |`),
  ].join('\n');
  return `${head}\n\n${table}\n\n![Benchmark chart](e2e/bench/results/latest.svg)\n`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

/**
 * A small bar chart: throughput of orders against the baseline (linear), then the latencies on a
 * log scale with their targets marked.
 */
export function svg(f: Figures): string {
  const width = 760;
  const labelWidth = 290;
  const barMax = width - labelWidth - 90;
  const out: string[] = [];
  let y = 30;
  const text = (x: number, yy: number, s: string, extra = '') =>
    out.push(`<text x="${x}" y="${yy}"${extra}>${escapeXml(s)}</text>`);

  text(10, y, 'Order creation throughput (req/s)', ' class="h"');
  y += 12;
  const maxRps = Math.max(f.throughput.orders.rps, f.throughput.baseline.rps, f.throughput.alone.rps, 1);
  for (const [label, rps, cls] of [
    ['orders via gateway', f.throughput.orders.rps, f.throughput.ratio >= 0.5 ? 'ok' : 'bad'],
    ['diagnostic: order path alone', f.throughput.alone.rps, 'ref'],
    ['baseline (node:http + INSERT)', f.throughput.baseline.rps, 'ref'],
  ] as const) {
    const w = Math.max(1, (rps / maxRps) * barMax);
    text(10, y + 14, label);
    out.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="18" class="${cls}"/>`);
    text(Math.round(labelWidth + w + 6), y + 14, `${Math.round(rps)}`);
    y += 26;
  }
  const halfX = labelWidth + 0.5 * (f.throughput.baseline.rps / maxRps) * barMax;
  out.push(`<line x1="${halfX}" y1="${y - 82}" x2="${halfX}" y2="${y - 4}" class="target"/>`);
  text(halfX + 3, y + 8, '0.5× baseline', ' class="small"');

  y += 30;
  text(10, y, 'Latencies (ms, log scale; | = target)', ' class="h"');
  y += 12;
  const lo = 0.1;
  const hi = 10_000;
  const x = (v: number) =>
    labelWidth + (Math.log10(Math.min(hi, Math.max(lo, v)) / lo) / Math.log10(hi / lo)) * barMax;
  const bars: [string, number, number | null][] = [
    ['order creation p50', f.throughput.orders.latency.p50, null],
    ['order creation p99', f.throughput.orders.latency.p99, null],
    ['propagation idle p50', f.propagation.idle.p50, null],
    ['propagation idle p99', f.propagation.idle.p99, 50],
    ['propagation under load p99', f.propagation.underLoad.p99, null],
    ...f.flashSales.map((s): [string, number, number | null] => [
      `flash sale ${s.buyers} → ${s.tickets} settled`,
      s.settledMs,
      null,
    ]),
    ['expiry lateness p50', f.expiry.lateness.p50, null],
    ['expiry lateness p99', f.expiry.lateness.p99, 1000],
    ...f.search.queries.map((q): [string, number, number | null] => [
      `search: ${q.name.replace(/^GET /, '')} p99`,
      q.latency.p99,
      SEARCH_TARGET_P99_MS,
    ]),
  ];
  const axisTop = y;
  const barsOut: string[] = [];
  for (const [label, value, target] of bars) {
    const cls = target === null ? 'ref' : value <= target ? 'ok' : 'bad';
    const w = Math.max(1, x(value) - labelWidth);
    barsOut.push(
      `<text x="10" y="${y + 14}">${escapeXml(label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="18" class="${cls}"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 14}">${round(value, value < 10 ? 1 : 0)}</text>`,
    );
    if (target !== null) {
      const tx = x(target).toFixed(1);
      barsOut.push(`<line x1="${tx}" y1="${y - 3}" x2="${tx}" y2="${y + 21}" class="target"/>`);
    }
    y += 26;
  }
  // The grid first, so the bars and target marks are drawn over it.
  for (const tick of [0.1, 1, 10, 100, 1000, 10_000]) {
    const tx = x(tick).toFixed(1);
    out.push(`<line x1="${tx}" y1="${axisTop - 4}" x2="${tx}" y2="${y}" class="grid"/>`);
    text(Number(tx) - 8, y + 14, String(tick), ' class="small"');
  }
  out.push(...barsOut);
  y += 26;
  const m = f.machine;
  text(10, y, `${m.date.slice(0, 10)} · ${m.commit} · ${m.cpus} CPUs · Node ${m.node}`, ' class="small"');
  const height = y + 14;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    '<style>.h{font-weight:600;font-size:14px}.small{font-size:11px;fill:#555}.ok{fill:#2e9d5b}.bad{fill:#d64545}.ref{fill:#7a8ca3}.target{stroke:#111;stroke-width:2}.grid{stroke:#ddd;stroke-width:1}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}

const readmeStart = '<!-- bench:figures:start -->';
const readmeEnd = '<!-- bench:figures:end -->';

/** Writes results/latest.json and results/latest.svg; and the README figures unless `readme` is false. */
export async function writeResults(root: string, f: Figures, list: Row[], readme: boolean): Promise<void> {
  const dir = path.join(root, 'e2e', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const prettier = await import('prettier');
  const json = path.join(dir, 'latest.json');
  const jsonOptions = (await prettier.resolveConfig(json)) ?? {};
  writeFileSync(
    json,
    await prettier.format(JSON.stringify({ ...f, rows: list }), { ...jsonOptions, parser: 'json' }),
  );
  writeFileSync(path.join(dir, 'latest.svg'), svg(f));
  if (!readme) return;
  const file = path.join(root, 'README.md');
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf(readmeStart);
  const end = current.indexOf(readmeEnd);
  if (start < 0 || end < start) {
    console.warn(`README.md has no ${readmeStart} … ${readmeEnd} block; figures not written there`);
    return;
  }
  const options = (await prettier.resolveConfig(file)) ?? {};
  const block = await prettier.format(markdown(f, list), { ...options, parser: 'markdown' });
  writeFileSync(file, `${current.slice(0, start + readmeStart.length)}\n\n${block}\n${current.slice(end)}`);
}
