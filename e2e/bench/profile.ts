import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RunningService, System } from '../test/support/system';
import { allServices } from './system-figures';

/** The processes profiled during the full order run: every service and the gateway, by name. */
function profiled(system: System): [string, RunningService][] {
  return [
    ...allServices.map((name): [string, RunningService] => [name, system.services[name]]),
    ...(system.gateway ? [['gateway', system.gateway] as [string, RunningService]] : []),
  ];
}

/** The parts of a V8 `.cpuprofile` the summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  /** µs on the system's monotonic clock, the one `process.hrtime` reads. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of the monotonic clock in µs, as {@link monotonicUs} reads it. */
export interface Window {
  fromUs: number;
  toUs: number;
}

/** Now on the monotonic clock V8's profiler stamps its samples with (shared by every process), µs. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** One function's self time in one process. */
export interface ProfileEntry {
  function: string;
  /** The script, relative to the package it belongs to (`pg/lib/client.js`) or the repository. */
  file: string;
  selfMs: number;
  /** Share of the process's busy time (sampled time that was not idle). */
  percent: number;
}

/** The self-time summary of one process's profile. */
export interface ProcessProfile {
  process: string;
  /** Sampled time spent running (not idle), ms. */
  busyMs: number;
  /** Share of busy time in garbage collection. */
  gcPercent: number;
  top: ProfileEntry[];
  /**
   * Busy time by package, largest first: each sample goes to the innermost frame of its stack
   * that belongs to a package (`pg`, `express`) or a workspace (`common`), so what Node does on a
   * package's behalf (the socket write of a query) counts as that package's; `(garbage
   * collector)` and `(program)` apart, `node` for stacks of Node's own code only.
   */
  byPackage: { name: string; percent: number }[];
}

/** The package or workspace a script belongs to, if any. */
function packageOf(url: string, root: string): string | undefined {
  if (!url) return undefined;
  const file = url.replace(/^file:\/\//, '');
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (modules) return modules[1];
  return file.startsWith(`${root}/`) ? path.relative(root, file).split('/')[0] : undefined;
}

/** Busy µs per package of the samples counted in `byNode`; see {@link ProcessProfile.byPackage}. */
function busyByPackage(profile: CpuProfile, byNode: Map<number, number>, root: string): Map<string, number> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    const { functionName, url } = nodes.get(id)?.callFrame ?? { functionName: '', url: '' };
    const up = parent.get(id);
    const found =
      functionName === '(garbage collector)' || functionName === '(program)'
        ? functionName
        : (packageOf(url, root) ?? (up === undefined ? 'node' : ownerOf(up)));
    owner.set(id, found);
    return found;
  };
  const result = new Map<string, number>();
  for (const [id, us] of byNode) {
    if (nodes.get(id)?.callFrame.functionName === '(idle)') continue;
    const name = ownerOf(id);
    result.set(name, (result.get(name) ?? 0) + us);
  }
  return result;
}

/** Restarts every service and the gateway with V8's CPU profiler writing to `dir` on exit. */
export async function restartProfiled(system: System, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await Promise.all(
    profiled(system).map(([name, service]) =>
      service.restart({
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`],
      }),
    ),
  );
}

/** Restarts them without the profiler: the graceful stop writes each profile. */
export async function restartUnprofiled(system: System): Promise<void> {
  await Promise.all(profiled(system).map(([, service]) => service.restart()));
}

/** `…/node_modules/pg/lib/client.js` → `pg/lib/client.js`; a file of the repository relative to `root`. */
function shortFile(url: string, root: string): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) return file.slice(modules + 'node_modules/'.length);
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/**
 * Self time by function (name and file) of one profile within `window` (start-up and the
 * listing of tickets left out), the `top` largest first.
 */
export function summarise(
  name: string,
  profile: CpuProfile,
  root: string,
  window: Window,
  top = 8,
): ProcessProfile {
  const byNode = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= window.fromUs && at <= window.toUs) byNode.set(id, (byNode.get(id) ?? 0) + delta);
  });
  const byFunction = new Map<string, { function: string; file: string; selfUs: number }>();
  let busyUs = 0;
  let gcUs = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    const { functionName, url } = node.callFrame;
    if (us === 0 || functionName === '(idle)') continue;
    busyUs += us;
    if (functionName === '(garbage collector)') gcUs += us;
    const entry = { function: functionName || '(anonymous)', file: url ? shortFile(url, root) : '' };
    const key = `${entry.function} ${entry.file}`;
    const known = byFunction.get(key) ?? { ...entry, selfUs: 0 };
    known.selfUs += us;
    byFunction.set(key, known);
  }
  const entries = [...byFunction.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, top);
  const packages = [...busyByPackage(profile, byNode, root)].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    process: name,
    busyMs: busyUs / 1000,
    gcPercent: busyUs > 0 ? (100 * gcUs) / busyUs : 0,
    top: entries.map((e) => ({
      function: e.function,
      file: e.file,
      selfMs: e.selfUs / 1000,
      percent: busyUs > 0 ? (100 * e.selfUs) / busyUs : 0,
    })),
    byPackage: packages.map(([name, us]) => ({ name, percent: busyUs > 0 ? (100 * us) / busyUs : 0 })),
  };
}

/** The summaries of every profile written to `dir`, busiest process first. */
export function readProfiles(dir: string, root: string, window: Window): ProcessProfile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) =>
      summarise(
        file.replace(/\.cpuprofile$/, ''),
        JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile,
        root,
        window,
      ),
    )
    .sort((a, b) => b.busyMs - a.busyMs);
}

/** The summaries as console lines: per process its busy time, then its top functions. */
export function profileLines(profiles: ProcessProfile[]): string {
  return profiles
    .map((p) =>
      [
        `${p.process}: ${Math.round(p.busyMs)} ms busy, GC ${p.gcPercent.toFixed(1)} %`,
        ...p.top.map((e) => `  ${e.percent.toFixed(1).padStart(5)} %  ${e.function}  ${e.file}`.trimEnd()),
        `  by package: ${p.byPackage.map((b) => `${b.name} ${b.percent.toFixed(0)} %`).join(', ')}`,
      ].join('\n'),
    )
    .join('\n');
}
