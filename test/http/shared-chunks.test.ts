/**
 * Streamed answers: identical requests in flight share one serialisation
 * (SharedChunks) without holding more than a window for a reader that stops,
 * and chunks are made from one queue a bounded time per turn (createTurns).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache } from '../../src/http/answer-cache.js';
import { SharedChunks, type SharedReader } from '../../src/http/shared-chunks.js';
import { createTurns } from '../../src/http/turns.js';
import { answerFixture, rawGet } from './answer-fixture.js';

const CHUNKS = Array.from({ length: 40 }, (_, i) => `[${i}]${'x'.repeat(1000)}`);

/** A source that counts how often it was made and how many chunks it gave. */
function source() {
  const counts = { made: 0, given: 0 };
  const make = function* (): Generator<string> {
    counts.made++;
    for (const c of CHUNKS) {
      counts.given++;
      yield c;
    }
  };
  return { make, counts };
}

/** Everything a reader gives until the end (empty buffers mean "call again"). */
function drain(r: SharedReader, max = Infinity): string {
  let out = '';
  for (let n = 0; n < max; n++) {
    const b = r.next();
    if (b === undefined) break;
    out += b.toString();
  }
  return out;
}

test('readers of one key in flight get the same text, made once', () => {
  const shared = new SharedChunks({ windowBytes: 64 * 1024 });
  const { make, counts } = source();
  const readers = Array.from({ length: 20 }, () => shared.open('k', make));
  // In step, as twenty sockets taking a chunk each in turn.
  const texts = readers.map(() => '');
  for (let step = 0; step <= CHUNKS.length; step++) {
    readers.forEach((r, i) => (texts[i] += r.next()?.toString() ?? ''));
  }
  for (const t of texts) assert.equal(t, CHUNKS.join(''));
  assert.equal(counts.made, 1);
  assert.equal(counts.given, CHUNKS.length, 'each chunk made once for all twenty');
  readers.forEach((r) => r.close());
  assert.equal(shared.size, 0, 'nothing is held once every reader closed');
});

test('a reader that stops does not hold back the others, and on resuming still gets the whole text', () => {
  const shared = new SharedChunks({ windowBytes: 5_000 });
  const { make, counts } = source();
  const stopped = shared.open('k', make);
  const fast = shared.open('k', make);
  assert.equal(drain(stopped, 2), CHUNKS.slice(0, 2).join(''));
  assert.equal(drain(fast), CHUNKS.join(''), 'the reader that reads is not held back by the one that stopped');
  const resumed = drain(stopped);
  assert.equal(CHUNKS.slice(0, 2).join('') + resumed, CHUNKS.join(''), 'made again from its own source, skipping what it had');
  assert.equal(counts.made, 2);
  stopped.close();
  fast.close();
  // A reader that comes after the first chunks are gone starts a source of its own.
  const late1 = shared.open('k', make);
  drain(late1, 10);
  const late2 = shared.open('k', make);
  assert.equal(drain(late2), CHUNKS.join(''));
});

test('turns: a job queued while a turn runs waits for the next turn; a spent budget hands the rest to the next turn', async () => {
  const order: string[] = [];
  const turns = createTurns(60_000);
  await new Promise<void>((done) => {
    turns.later(() => {
      order.push('job 1');
      turns.later(() => {
        order.push('job 2');
        done();
      });
    });
    setImmediate(() => order.push('other work'));
  });
  assert.deepEqual(order, ['job 1', 'other work', 'job 2']);

  const spent: string[] = [];
  const tight = createTurns(0);
  await new Promise<void>((done) => {
    tight.later(() => spent.push('a'));
    tight.later(() => {
      spent.push('b');
      done();
    });
    setImmediate(() => spent.push('other work'));
  });
  assert.deepEqual(spent, ['a', 'other work', 'b']);
});

test('concurrent requests for one large history all get its exact bytes', async () => {
  // Nothing is kept (every answer is over the bound): each request streams.
  const fx = await answerFixture({ units: 60, samples: 120, cache: new AnswerCache({ maxAnswerBytes: 0 }) });
  try {
    const want = JSON.stringify(fx.local.historyBody('24h', 200));
    assert.ok(want.length > 4 * 64 * 1024, 'several chunks');
    const answers = await Promise.all(Array.from({ length: 8 }, () => rawGet(fx.url, '/api/node/history?range=24h')));
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(a.body.toString(), want);
    }
    assert.deepEqual(fx.errors, []);
  } finally {
    await fx.close();
  }
});

test('a reader that comes a little later still joins from the start; all keys together hold at most their bound', () => {
  const roomy = new SharedChunks({ windowBytes: 64 * 1024 });
  const { make, counts } = source();
  const first = roomy.open('k', make);
  assert.equal(drain(first, 5), CHUNKS.slice(0, 5).join(''));
  const late = roomy.open('k', make);
  let lateText = drain(late, 12);
  assert.equal(drain(first), CHUNKS.slice(5).join(''));
  lateText += drain(late);
  assert.equal(lateText, CHUNKS.join(''));
  assert.equal(counts.made, 1, 'one serialisation for both');
  first.close();
  late.close();
  assert.equal(roomy.bytes, 0, 'nothing kept once the readers are gone');

  const shared = new SharedChunks({ windowBytes: 20_000, maxBytes: 30_000 });
  // Readers of ten keys that each read a window's worth and stop: the bound holds, and each still gets its whole text.
  const readers = Array.from({ length: 10 }, (_, i) => shared.open(`key ${i}`, source().make));
  const texts = readers.map((r) => {
    const t = drain(r, 19);
    assert.ok(shared.bytes <= 30_000, `${shared.bytes} bytes kept`);
    return t;
  });
  readers.forEach((r, i) => assert.equal(texts[i] + drain(r), CHUNKS.join(''), `key ${i}`));
  readers.forEach((r) => r.close());
  assert.equal(shared.size, 0);
  assert.equal(shared.bytes, 0);
});
