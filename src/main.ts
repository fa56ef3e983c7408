#!/usr/bin/env -S node --max-semi-space-size=1
/**
 * Composition root: flags -> config -> history -> pool -> scheduler -> HTTP.
 * On SIGTERM/SIGINT: stop scheduling, end in-flight jobs, flush history,
 * close the server, exit 0.
 *
 * The shebang (and package.json `start`) caps V8's semi-space at 1 MB: with
 * 500 units and 30 days of history the daemon then holds 25-55 MB less
 * (scripts/bench/memory.mjs, BENCHMARKS.md); a daemon allocates little per
 * second, so the young generation needs no room.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAddr, parseArgs, USAGE } from './cli.js';
import { loadConfigFile } from './config/load.js';
import { formatIssue } from './config/types.js';
import { createLogger } from './log.js';
import { startDaemon } from './daemon.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(argv: readonly string[]): Promise<number> {
  const log = createLogger();
  const args = parseArgs(argv);
  if (!args.ok) {
    process.stderr.write(`jobmonitor: ${args.error}\n\n${USAGE}\n`);
    return 2;
  }
  const { options } = args;
  if (options.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const loaded = await loadConfigFile(options.config, { hostname: hostname() });
  if (!loaded.ok) {
    process.stderr.write(`jobmonitor: invalid configuration ${options.config}:\n`);
    for (const issue of loaded.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
    return 2;
  }
  const config = loaded.config;
  if (options.command === 'validate') {
    process.stdout.write(
      `${options.config}: valid (${config.targets.length} target(s), ${config.peers.length} peer(s), node ${config.node_id})\n`,
    );
    return 0;
  }
  const addr = parseAddr(options.addr);
  if (!addr.ok) {
    process.stderr.write(`jobmonitor: ${addr.error}\n`);
    return 2;
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const daemon = await startDaemon({
    config: { ...config, data_directory: resolve(config.data_directory) },
    configPath: options.config,
    listen: addr,
    log,
    version,
    publicDir: join(root, 'public'),
  });
  if (!daemon.ok) {
    log.error(daemon.error);
    return 1;
  }
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal} received: stopping`);
      // A last resort if something refuses to finish: never hang the service manager.
      setTimeout(() => {
        log.error('shutdown took longer than 12 s; exiting anyway');
        done(1);
      }, 12_000).unref();
      daemon.value.stop().then(
        () => {
          log.info('stopped');
          done(0);
        },
        (err: unknown) => {
          log.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
          done(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`jobmonitor: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
