import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { verdict, targets, type Figures, type Row } from './report';
import { SEARCH_TARGET_P99_MS } from './search';
import { round } from './stats';
import { CATCH_UP_TARGET_MS, LAG_TARGET_P99_MS } from './sustainable';

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
  const baseline = f.baseline.rps;
  const maxRps = Math.max(
    f.direct.rps,
    baseline,
    f.full.rps,
    f.sustainable.sustainableRps,
    ...f.scale.runs.map((run) => run.rps),
    1,
  );
  for (const [label, rps, cls] of [
    ['orders, direct (target 1)', f.direct.rps, f.direct.ratio >= targets.directThroughput ? 'ok' : 'bad'],
    ['orders via gateway, closed loop', f.full.rps, 'ref'],
    ['sustainable rate, open loop', f.sustainable.sustainableRps, 'ref'],
    ['baseline (node:http + INSERT)', baseline, 'ref'],
  ] as const) {
    const w = Math.max(1, (rps / maxRps) * barMax);
    text(10, y + 14, label);
    out.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="18" class="${cls}"/>`);
    text(Math.round(labelWidth + w + 6), y + 14, `${Math.round(rps)}`);
    y += 26;
  }
  const halfX = labelWidth + targets.directThroughput * (baseline / maxRps) * barMax;
  out.push(`<line x1="${halfX}" y1="${y - 108}" x2="${halfX}" y2="${y - 4}" class="target"/>`);
  text(halfX + 3, y + 8, '0.5× baseline', ' class="small"');

  y += 30;
  text(
    10,
    y,
    `Scale-out: orders via gateway, closed loop (req/s, same scale; ${f.scale.cpus} CPUs)`,
    ' class="h"',
  );
  y += 12;
  for (const run of f.scale.runs) {
    const w = Math.max(1, (run.rps / maxRps) * barMax);
    text(10, y + 14, `${run.replicas} process${run.replicas === 1 ? '' : 'es'} per service`);
    out.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="18" class="ref"/>`);
    text(Math.round(labelWidth + w + 6), y + 14, `${Math.round(run.rps)}`);
    y += 26;
  }

  y += 30;
  text(10, y, 'Latencies (ms, log scale; | = target)', ' class="h"');
  y += 12;
  const lo = 0.1;
  const hi = 10_000;
  const x = (v: number) =>
    labelWidth + (Math.log10(Math.min(hi, Math.max(lo, v)) / lo) / Math.log10(hi / lo)) * barMax;
  const bars: [string, number, number | null][] = [
    ['order creation (direct) p99', f.direct.latency.p99, null],
    ['ticket.created lag at 80 % p99', f.sustainable.measured.ticketLag.p99, LAG_TARGET_P99_MS],
    ['order.created lag at 80 % p99', f.sustainable.measured.orderLag.p99, LAG_TARGET_P99_MS],
    ['caught up after the load', f.sustainable.measured.catchUpMs, CATCH_UP_TARGET_MS],
    ['ticket.created lag idle p99', f.propagationIdle.p99, null],
    ...f.flashSales.map((s): [string, number, number | null] => [
      `flash sale ${s.buyers} → ${s.tickets} answered`,
      s.answeredMs,
      s.tickets === 1 ? f.baseline.burst.answeredMs : null,
    ]),
    ['expiry lateness p50', f.expiry.lateness.p50, null],
    ['expiry lateness p99', f.expiry.lateness.p99, 1000],
    ...f.search.queries.map((q): [string, number, number | null] => [
      `search: ${q.name.replace(/^GET /, '')} p99`,
      q.latency.p99,
      SEARCH_TARGET_P99_MS,
    ]),
    ...(f.scale.failover
      ? ([
          ['failover: longest time without a 201', f.scale.failover.answers.longestMs, null],
          ['failover: no order.created stored', f.scale.failover.events.longestMs, null],
        ] as [string, number, number | null][])
      : []),
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
