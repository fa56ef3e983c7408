import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLimiter } from '../src/limiter.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

test('never runs more than the limit, even when a caller arrives while a slot is handed over', async () => {
  const limiter = createLimiter(1);
  let running = 0;
  let peak = 0;
  const track = async () => {
    running++;
    peak = Math.max(peak, running);
    await tick();
    running--;
  };
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  // The first task returns the gate itself, so its slot is released in the gate's first reaction…
  const first = limiter.run(() => gate);
  const waiter = limiter.run(track);
  // …and this caller arrives in the gate's next reaction, before the waiter has resumed.
  const late = gate.then(() => limiter.run(track));
  open();
  await Promise.all([first, waiter, late]);
  assert.equal(peak, 1);
  assert.equal(limiter.active(), 0);
  assert.equal(limiter.waiting(), 0);
});

test('runs waiters in arrival order and survives failing tasks', async () => {
  const limiter = createLimiter(1);
  const order: number[] = [];
  const results = await Promise.allSettled([1, 2, 3, 4].map((n) => limiter.run(async () => {
    order.push(n);
    if (n === 2) throw new Error('two');
    return n;
  })));
  assert.deepEqual(order, [1, 2, 3, 4]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.equal(limiter.active(), 0);
});

test('a limit that is not a whole number >= 1 is a clear error', () => {
  assert.throws(() => createLimiter(0), /limit must be a whole number >= 1, got 0/);
  assert.throws(() => createLimiter(1.5), /got 1.5/);
});
