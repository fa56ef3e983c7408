/**
 * Legacy /api/history at a size that used to fail: an answer longer than the
 * longest string V8 can make (it was built as one string and answered 500
 * "Invalid string length"). It now streams, and the server keeps answering
 * other requests while it does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { get as httpGet } from 'node:http';
import { answerFixture, rawGet } from './answer-fixture.js';

test('legacy /api/history longer than any string streams out whole, and /healthz answers meanwhile', async () => {
  // 500 units with long names: about 130 KB per sample, 4,500 samples.
  const fx = await answerFixture({ units: 500, samples: 4_500, historyCap: 100_000, pad: `-${'p'.repeat(90)}` });
  try {
    let bytes = 0;
    let first = '';
    let last = '';
    let healthDuring = 0;
    let nextProbe = 50_000_000;
    const probes: Array<Promise<void>> = [];
    let ended = false;
    const status = await new Promise<number>((resolve, reject) => {
      httpGet(`${fx.url}/api/history?range=30d`, { agent: false }, (res) => {
        res.on('data', (b: Buffer) => {
          if (first.length < 20) first = (first + b.subarray(0, 20).toString()).slice(0, 20);
          last = (last + b.toString('latin1')).slice(-20);
          bytes += b.length;
          if (bytes >= nextProbe) {
            nextProbe += 100_000_000;
            probes.push(rawGet(fx.url, '/healthz').then((h) => {
              if (h.status === 200 && !ended) healthDuring++;
            }));
          }
        });
        res.on('end', () => {
          ended = true;
          resolve(res.statusCode ?? 0);
        });
        res.on('error', reject);
      }).on('error', reject);
    });
    await Promise.all(probes);
    assert.equal(status, 200);
    assert.ok(bytes > constants.MAX_STRING_LENGTH, `${bytes} bytes: more than one string can hold (${constants.MAX_STRING_LENGTH})`);
    assert.match(first, /^\[\{"timestamp":"/);
    assert.match(last, /\}\]\}\]$/);
    assert.ok(healthDuring > 0, '/healthz answered while the history was streaming');
    assert.deepEqual(fx.errors, []);
  } finally {
    await fx.close();
  }
});
