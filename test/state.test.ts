/**
 * One state, one colour: the server's timeline classes and badges and the
 * dashboard's badge tones come from the same rule (src/state.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyState } from '../src/state.js';
import { classify, CLS_ERROR, CLS_MISSING, CLS_SUCCESS, CLS_WARNING } from '../src/history/check-class.js';
import { stateTone } from '../public/src/format.js';

const TIMELINE: Record<number, string> = { [CLS_SUCCESS]: 'ok', [CLS_WARNING]: 'transitioning', [CLS_ERROR]: 'down', [CLS_MISSING]: 'unknown' };
const TONE: Record<string, string> = { ok: 'ok', warn: 'transitioning', error: 'down', unknown: 'unknown' };

const CASES: [boolean, string, string | undefined, string][] = [
  [true, 'active', undefined, 'ok'],
  [false, 'failed', 'failed', 'down'],
  [false, 'inactive', 'inactive', 'down'],
  [false, 'activating', 'activating', 'transitioning'],
  [false, 'deactivating', 'deactivating', 'transitioning'],
  [false, 'reloading', 'reloading', 'transitioning'],
  [false, 'refreshing', 'refreshing', 'transitioning'],
  [false, 'maintenance', 'maintenance', 'transitioning'],
  [false, 'unknown', 'timed out after 15s', 'unknown'],
  [false, '', undefined, 'unknown'],
  [false, '', 'systemctl not found', 'down'],
  [false, 'weird-new-state', 'weird-new-state', 'down'],
];

test('each state is classified once, the same on the timeline and on the dashboard badge', () => {
  for (const [ok, state, error, want] of CASES) {
    assert.equal(classifyState(ok, state, error), want, `classifyState(${ok}, ${JSON.stringify(state)})`);
    const bits = classify(ok, state, error) & (CLS_SUCCESS | CLS_WARNING | CLS_ERROR | CLS_MISSING);
    assert.equal(TIMELINE[bits], want, `timeline class of ${JSON.stringify(state)}`);
    if (error === undefined || error === state || state !== '') {
      assert.equal(TONE[stateTone(state, ok)], want, `dashboard tone of ${JSON.stringify(state)}`);
    }
  }
});
