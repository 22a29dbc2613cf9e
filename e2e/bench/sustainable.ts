import { performance } from 'node:perf_hooks';
import type { TestUser } from '@glotixz/common/testing';
import type { System } from '../test/support/system';
import { postJson } from './fixtures';
import { log } from './harness';
import { runOpenLoad, type OpenLoadResult } from './open-load';
import { listReplicated } from './orders';
import { propagationSampler, type EventLag } from './propagation';
import type { Distribution } from './stats';
import { gatewayOf, waitQuiet } from './system-figures';

/** Target 3: both lags' p99 at most this, under load. */
export const LAG_TARGET_P99_MS = 250;
/** Target 3: every event handled within this long after the load stopped. */
export const CATCH_UP_TARGET_MS = 1000;

/** One open-loop run of orders through the gateway at a fixed offered rate. */
export interface RateStep extends OpenLoadResult {
  /** `ticket.created` → orders replica, tickets listed every 50 ms meanwhile. */
  ticketLag: Distribution;
  /** `order.created` → ticket reserved, every order of the run. */
  orderLag: Distribution;
  /** Last order offered → every answer in, every event of the run landed, the system quiet. */
  catchUpMs: number;
  /** Both lags within target, every answer a 201 and the answers keeping up. */
  pass: boolean;
  /** Why it did not pass. */
  failure?: string;
}

/** What the search for the sustainable rate found, and the run at 80 % of it. */
export interface SustainableFigures {
  steps: RateStep[];
  /** The highest offered rate whose step passed; 0 when none did. */
  sustainableRps: number;
  /** The run at 80 % of the sustainable rate (of the lowest rate tried when none passed). */
  measured: RateStep;
}

/** What a step needs: the system, its two lag clocks and who orders. */
export interface StepContext {
  system: System;
  ticketLag: EventLag;
  orderLag: EventLag;
  seller: TestUser;
  buyers: TestUser[];
}

/** Requests in flight when offering stops, beyond which the orders are falling behind: a quarter second's worth. */
const behindAfter = (rate: number) => Math.max(10, rate / 4);

function verdict(step: Omit<RateStep, 'pass' | 'failure'>): string | undefined {
  const other = Object.entries(step.statuses).filter(([status]) => status !== '201');
  if (other.length > 0) return `answers other than 201: ${JSON.stringify(Object.fromEntries(other))}`;
  if (step.inFlightAtEnd > behindAfter(step.rate)) return `fell behind: ${step.inFlightAtEnd} unanswered`;
  if (!(step.orderLag.p99 <= LAG_TARGET_P99_MS))
    return `order.created lag p99 ${Math.round(step.orderLag.p99)} ms`;
  if (!(step.ticketLag.p99 <= LAG_TARGET_P99_MS))
    return `ticket.created lag p99 ${Math.round(step.ticketLag.p99)} ms`;
  return undefined;
}

/**
 * Offers orders at `rate` a second for `durationMs` through the gateway, on fresh replicated
 * tickets and from a quiet system, sampling both lags; then measures how long after the last
 * offer everything had landed.
 */
export async function rateStep(ctx: StepContext, rate: number, durationMs: number): Promise<RateStep> {
  const { system, seller, buyers } = ctx;
  const ids = await listReplicated(system, seller, Math.ceil((rate * durationMs) / 1000) + 10, 30_000);
  await waitQuiet(system);
  const finishSampling = propagationSampler(system, ctx.ticketLag, seller);
  const orderIds: string[] = [];
  let offeringEnded = 0;
  const load = await runOpenLoad({
    url: gatewayOf(system).url,
    rate,
    durationMs,
    connections: 256,
    request: (n) => {
      const ticketId = ids[n];
      return ticketId === undefined
        ? undefined
        : postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId });
    },
    onAnswer: (status, body) => {
      if (status === 201) orderIds.push((JSON.parse(body) as { id: string }).id);
    },
    onOfferingEnd: () => {
      offeringEnded = performance.now();
    },
  });
  const [ticketLag, orderLag] = await Promise.all([finishSampling(), ctx.orderLag.lags(orderIds, 5_000)]);
  await waitQuiet(system, 120_000, 20);
  const step = { ...load, ticketLag, orderLag, catchUpMs: performance.now() - offeringEnded };
  const failure = verdict(step);
  return { ...step, pass: failure === undefined, ...(failure ? { failure } : {}) };
}

/** A lag in whole ms, or "lost" when an event never landed in time. */
export const lagText = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'lost');

const describe = (s: RateStep) =>
  `${Math.round(s.rate)}/s offered, ${Math.round(s.answeredRps)}/s answered, lag p99 ` +
  `order ${lagText(s.orderLag.p99)}, ticket ${lagText(s.ticketLag.p99)}: ` +
  (s.pass ? 'pass' : `FAIL (${s.failure})`);

/**
 * Targets 3 and 4: steps the offered rate up from `startRate` by ×`factor` (`stepMs` each) until
 * a step fails, the last passing rate being the sustainable one (when the first step fails, the
 * rate halves until one passes); then runs 80 % of it for `measuredMs`. At most `maxSteps` steps.
 */
export async function sustainableRate(
  ctx: StepContext,
  startRate: number,
  measuredMs: number,
  { stepMs = 5_000, factor = 1.3, maxSteps = 12 } = {},
): Promise<SustainableFigures> {
  const steps: RateStep[] = [];
  let rate = startRate;
  let sustainableRps = 0;
  for (let i = 0; i < maxSteps; i += 1) {
    const step = await rateStep(ctx, rate, stepMs);
    steps.push(step);
    log(`step ${i + 1}: ${describe(step)}`);
    if (step.pass) {
      sustainableRps = rate;
      rate = Math.round(rate * factor);
    } else if (sustainableRps === 0 && rate >= 10) {
      rate = Math.round(rate / 2);
    } else {
      break;
    }
  }
  const lowest = Math.min(...steps.map((s) => s.rate));
  const measuredRate = Math.max(1, Math.round(0.8 * (sustainableRps || lowest)));
  log(`measured window: ${measuredRate} orders/s for ${measuredMs / 1000} s`);
  const measured = await rateStep(ctx, measuredRate, measuredMs);
  log(`measured: ${describe(measured)}, caught up ${Math.round(measured.catchUpMs)} ms after`);
  return { steps, sustainableRps, measured };
}
