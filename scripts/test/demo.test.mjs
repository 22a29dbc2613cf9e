/**
 * The demo's data and its clock arithmetic. Seeding itself runs against the real system in
 * e2e/test/demo.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DEMO_SELLERS, wallClockIn } from '../demo.mjs';

const data = JSON.parse(readFileSync(new URL('../demo-data.json', import.meta.url), 'utf8'));

describe('wallClockIn', () => {
  const now = new Date('2026-03-27T12:00:00Z');

  test('answers the UTC instant of a wall-clock time in the zone, days ahead', () => {
    assert.equal(wallClockIn('Europe/London', 1, '19:30', now), '2026-03-28T19:30:00.000Z');
    assert.equal(wallClockIn('America/New_York', 0, '20:00', now), '2026-03-28T00:00:00.000Z');
    assert.equal(wallClockIn('Asia/Tokyo', 0, '13:00', now), '2026-03-27T04:00:00.000Z');
  });

  test('follows the zone across a change of its offset', () => {
    // London moves to summer time on 29 March 2026.
    assert.equal(wallClockIn('Europe/London', 3, '19:30', now), '2026-03-30T18:30:00.000Z');
  });

  test('counts days from today in the zone, not in UTC', () => {
    // 14:00 UTC on the 27th is already 01:00 on the 28th in Sydney (UTC+11).
    const late = new Date('2026-03-27T14:00:00Z');
    assert.equal(wallClockIn('Australia/Sydney', 1, '09:00', late), '2026-03-28T22:00:00.000Z');
  });
});

describe('demo data', () => {
  test('about twenty upcoming events over several cities and every category, and one that starts at once', () => {
    assert.ok(data.events.length >= 20);
    assert.ok(new Set(data.events.map((e) => e.city)).size >= 10);
    const categories = new Set(data.events.map((e) => e.category));
    for (const category of ['concert', 'sports', 'theatre', 'comedy', 'festival', 'other'])
      assert.ok(categories.has(category), category);
    assert.ok(data.events.every((e) => e.inDays >= 1));
    assert.ok(data.past.inSeconds > 0);
    assert.ok(DEMO_SELLERS.length >= 3);
  });

  test('every event is priced in integer minor units of a lower-case currency', () => {
    for (const event of [...data.events, data.past]) {
      assert.ok(Number.isInteger(event.price) && event.price > 0, event.name);
      assert.match(event.currency, /^[a-z]{3}$/);
    }
  });
});
