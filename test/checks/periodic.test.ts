/**
 * The scheduler behind every sweep, probe and prune: runs at start and then every
 * interval, never overlaps itself, skips (does not queue) ticks missed during a long
 * run, and survives clock steps in both directions. Timers are Node's mock timers and
 * the clock is injected, so each case is exact.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createPeriodic } from '../../src/checks/periodic.js';

const unexpected = (err: unknown): void => assert.fail(`unexpected error: ${String(err)}`);

/** A wall clock the test moves, and a way to move the timers with it. */
function harness(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let clock = 1_000_000;
  const flush = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    now: () => clock,
    /** Advances the clock and the timers by `ms`, letting finished runs schedule their successor. */
    async advance(ms: number) {
      clock += ms;
      t.mock.timers.tick(ms);
      await flush();
    },
    /** Steps the wall clock only (NTP, a VM resume): timers are monotonic and do not move. */
    step(ms: number) {
      clock += ms;
    },
    flush,
  };
}

test('runs at start, then every interval', async (t) => {
  const h = harness(t);
  const starts: number[] = [];
  const p = createPeriodic({ intervalMs: 1000, now: h.now, onError: unexpected, run: async () => void starts.push(h.now()) });
  p.start();
  await h.advance(0);
  await h.advance(1000);
  await h.advance(1000);
  await h.advance(999);
  assert.deepEqual(starts.map((s) => s - starts[0]!), [0, 1000, 2000]);
  await h.advance(1);
  assert.equal(starts.length, 4);
  await p.stop();
});

test('the first run waits initialDelayMs when given', async (t) => {
  const h = harness(t);
  let runs = 0;
  const p = createPeriodic({ intervalMs: 1000, initialDelayMs: 5000, now: h.now, onError: unexpected, run: async () => void runs++ });
  p.start();
  await h.advance(4999);
  assert.equal(runs, 0);
  await h.advance(1);
  assert.equal(runs, 1);
  await p.stop();
});

/** A periodic task whose every run hangs until `finish()`; counts runs and the most in flight at once. */
function heldRuns(h: ReturnType<typeof harness>) {
  let runs = 0;
  let running = 0;
  let maxRunning = 0;
  const waiting: (() => void)[] = [];
  const p = createPeriodic({
    intervalMs: 1000, now: h.now, onError: unexpected,
    run: () => {
      runs++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      return new Promise<void>((r) => waiting.push(() => { running--; r(); }));
    },
  });
  return { p, runs: () => runs, maxRunning: () => maxRunning, finish: () => waiting.shift()?.() };
}

test('a run longer than the interval is never overlapped; missed ticks are skipped, not queued', async (t) => {
  const h = harness(t);
  const { p, runs, maxRunning, finish } = heldRuns(h);
  p.start();
  await h.advance(0);
  assert.equal(runs(), 1);
  assert.equal(p.busy, true);
  await h.advance(3500); // three and a half intervals pass while the first run hangs
  assert.equal(runs(), 1, 'no second run while the first is in flight');
  finish();
  await h.flush();
  await h.advance(0); // overdue: the next run starts right away…
  assert.equal(runs(), 2);
  finish();
  await h.flush();
  await h.advance(999); // …and then the normal cadence resumes: one run, not the three missed
  assert.equal(runs(), 2);
  await h.advance(1);
  assert.equal(runs(), 3);
  assert.equal(maxRunning(), 1);
  finish();
  await p.stop();
});

/** A periodic task whose first run steps the wall clock by `stepMs`; counts runs. */
function stepsClockOnce(t: TestContext, stepMs: number) {
  const h = harness(t);
  let runs = 0;
  const p = createPeriodic({
    intervalMs: 1000, now: h.now, onError: unexpected,
    run: async () => {
      runs++;
      if (runs === 1) h.step(stepMs);
    },
  });
  p.start();
  return { h, p, runs: () => runs };
}

/** Advances the timers step by step, checking after each how many runs have started. */
async function expectRuns(h: ReturnType<typeof harness>, runs: () => number, steps: [advanceMs: number, runsAfter: number][]) {
  for (const [ms, want] of steps) {
    await h.advance(ms);
    assert.equal(runs(), want, `runs after advancing ${ms} ms`);
  }
}

test('a clock stepped back during a run waits one interval, not the size of the step', async (t) => {
  const { h, p, runs } = stepsClockOnce(t, -3_600_000);
  await expectRuns(h, runs, [[0, 1], [999, 1], [1, 2]]);
  await p.stop();
});

test('a clock stepped forward during a run gives one run right away, not a burst', async (t) => {
  const { h, p, runs } = stepsClockOnce(t, 40 * 86_400_000);
  await expectRuns(h, runs, [[0, 1], [0, 2], [999, 2], [1, 3]]);
  await p.stop();
});

test('a failing run is reported and the schedule goes on', async (t) => {
  const h = harness(t);
  const errors: unknown[] = [];
  let runs = 0;
  const p = createPeriodic({
    intervalMs: 1000, now: h.now, onError: (e) => errors.push(e),
    run: async () => {
      runs++;
      throw new Error(`boom ${runs}`);
    },
  });
  p.start();
  await h.advance(0);
  await h.advance(1000);
  assert.equal(runs, 2);
  assert.deepEqual(errors.map((e) => (e as Error).message), ['boom 1', 'boom 2']);
  await p.stop();
});

test('stop waits for the run in flight, and nothing runs after it', async (t) => {
  const h = harness(t);
  const { p, runs, finish } = heldRuns(h);
  p.start();
  await h.advance(0);
  let stopped = false;
  const stopping = p.stop().then(() => (stopped = true));
  await h.flush();
  assert.equal(stopped, false, 'stop() waits for the run');
  finish();
  await stopping;
  await h.advance(10_000);
  assert.equal(runs(), 1);
  assert.equal(p.busy, false);
});
