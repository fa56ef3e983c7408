/**
 * Command-line flags, as the original (`jobmonitor -config PATH -addr ADDR`),
 * with `--flag`, `-flag=value` and `--flag=value` accepted too, and a
 * `validate` sub-command.
 */

export interface CliOptions {
  command: 'run' | 'validate' | 'help';
  config: string;
  addr: string;
}

export type CliResult = { ok: true; options: CliOptions } | { ok: false; error: string };

export const USAGE = `Usage:
  jobmonitor [-config PATH] [-addr ADDR]      run the daemon
  jobmonitor validate [-config PATH]          check a config file and exit
  jobmonitor --help                           show this help

Flags (one or two dashes; "-flag value" or "-flag=value"):
  -config PATH   configuration file (default "config.yaml")
  -addr ADDR     listen address, host:port or :port (default ":8080")

Exit status: 0 ok, 1 runtime error (e.g. unusable data directory, port in use),
2 invalid flags or configuration.`;

const FLAGS = new Set(['config', 'addr']);

/** Parses argv (without node and script). Never throws; unknown flags are errors. */
export function parseArgs(argv: readonly string[]): CliResult {
  const options: CliOptions = { command: 'run', config: 'config.yaml', addr: ':8080' };
  const rest = [...argv];
  if (rest[0] === 'validate' || rest[0] === 'run') {
    options.command = rest.shift() as 'validate' | 'run';
  }
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (arg === '-h' || arg === '-help' || arg === '--help') {
      return { ok: true, options: { ...options, command: 'help' } };
    }
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (m === null) return { ok: false, error: `unexpected argument ${JSON.stringify(arg)}` };
    const name = m[1] as string;
    if (!FLAGS.has(name)) return { ok: false, error: `unknown flag -${name}` };
    let value = m[2];
    if (value === undefined) {
      value = rest.shift();
      if (value === undefined) return { ok: false, error: `flag -${name} needs a value` };
    }
    if (value === '') return { ok: false, error: `flag -${name} must not be empty` };
    if (name === 'config') options.config = value;
    else options.addr = value;
  }
  return { ok: true, options };
}

/** Splits "host:port", ":port" or "[v6]:port". host undefined means all interfaces. */
export function parseAddr(addr: string): { ok: true; host?: string; port: number } | { ok: false; error: string } {
  const m = /^(?:\[([0-9a-fA-F:.%a-zA-Z]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr);
  if (m === null) return { ok: false, error: `-addr ${JSON.stringify(addr)}: expected host:port or :port` };
  const port = Number(m[3]);
  if (port > 65535) return { ok: false, error: `-addr ${JSON.stringify(addr)}: port out of range` };
  const host = m[1] ?? m[2];
  return host === undefined || host === '' ? { ok: true, port } : { ok: true, host, port };
}
