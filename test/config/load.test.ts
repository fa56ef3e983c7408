import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadConfigFile } from '../../src/config/load.js';

const VALID = 'targets:\n  - id: web\n    service: nginx\n';

describe('loadConfigFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobmonitor-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses a file, returning its absolute path', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, `data_directory: data\n${VALID}`);
    const loaded = await loadConfigFile(relative(process.cwd(), file), { hostname: 'vm' });
    assert.equal(loaded.path, file);
    assert.ok(loaded.ok);
    assert.equal(loaded.config.targets[0]?.service, 'nginx.service');
    assert.equal(loaded.config.data_directory, 'data', 'relative data directories are left for the caller to resolve');
  });

  it('reports a missing file instead of falling back to defaults', async () => {
    const file = join(dir, 'nope', 'config.yaml');
    assert.deepEqual(await loadConfigFile(file, { hostname: 'vm' }), {
      ok: false,
      path: file,
      issues: [{ path: '', message: `config file not found: ${file}` }],
    });
  });

  it('reports a path that cannot be read as a file', async () => {
    const sub = join(dir, 'a-directory');
    await mkdir(sub);
    const loaded = await loadConfigFile(sub, { hostname: 'vm' });
    assert.ok(!loaded.ok);
    assert.deepEqual(loaded.issues, [{ path: '', message: `cannot read config file ${sub}: it is a directory` }]);
  });

  it('rejects a file that is not UTF-8', async () => {
    const file = join(dir, 'latin1.yaml');
    await writeFile(file, Buffer.concat([Buffer.from('node_name: Caf'), Buffer.from([0xe9]), Buffer.from(`\n${VALID}`)]));
    const loaded = await loadConfigFile(file, { hostname: 'vm' });
    assert.ok(!loaded.ok);
    assert.deepEqual(loaded.issues, [{ path: '', message: `config file is not valid UTF-8: ${file}` }]);
  });

  it('ignores a UTF-8 byte order mark', async () => {
    const file = join(dir, 'bom.yaml');
    await writeFile(file, `\uFEFF${VALID}`);
    const loaded = await loadConfigFile(file, { hostname: 'vm' });
    assert.ok(loaded.ok);
  });

  it('passes on the problems of an invalid file, with their places', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'interval_minutes: abc\n');
    const loaded = await loadConfigFile(file, { hostname: 'vm' });
    assert.ok(!loaded.ok);
    assert.equal(loaded.path, file);
    assert.deepEqual(loaded.issues, [
      { path: 'interval_minutes', message: 'expected a number, got string "abc"', line: 1, column: 19 },
      { path: 'targets', message: 'configuration must define at least one target' },
    ]);
  });
});
