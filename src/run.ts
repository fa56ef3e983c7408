/**
 * The jobmonitor command: flags -> config -> validate, or start the daemon and
 * stop it on SIGTERM/SIGINT (stop scheduling, end in-flight jobs, flush
 * history, close the server). src/main.ts is the executable around it.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAddr, parseArgs, USAGE } from './cli.js';
import { loadConfigFile } from './config/load.js';
import { formatIssue } from './config/types.js';
import { createLogger } from './log.js';
import { ROOT } from './paths.js';
import { startDaemon, type DaemonTestOptions } from './daemon.js';


/**
 * The command line: parses flags, loads the config, and either validates it or
 * runs the daemon until SIGTERM/SIGINT. Resolves to the exit status.
 * `testOptions` is for the test suite's entry (test/helpers/daemon-entry.ts);
 * the installed command never passes it.
 */
export async function run(argv: readonly string[], testOptions: DaemonTestOptions = {}): Promise<number> {
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
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const daemon = await startDaemon({
    config: { ...config, data_directory: resolve(config.data_directory) },
    configPath: options.config,
    listen: addr,
    log,
    version,
    publicDir: join(ROOT, 'public'),
    ...testOptions,
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
