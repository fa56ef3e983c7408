import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A data directory and, beside it, an "outside" one that nothing may ever write to; removed after the test. */
export function dataAndOutside(t: TestContext, prefix: string): { data: string; outside: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const data = join(root, 'data');
  const outside = join(root, 'outside');
  mkdirSync(data);
  mkdirSync(outside);
  return { data, outside };
}
