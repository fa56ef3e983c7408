/**
 * A tiny logger in the original's format ("2026/11/28 10:35:47 message", UTC)
 * on stderr. Passed in as a dependency so tests can capture lines.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-28T10:35:47.123Z
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 19)}`;
}

export function createLogger(opts: { write?: (line: string) => void; now?: () => number } = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? Date.now;
  // One message, one line: control characters (from a peer's error, a unit's output) are escaped,
  // so nothing can forge a log line.
  const clean = (m: string) => m.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return {
    info: (m) => write(`${stamp(now())} ${clean(m)}`),
    warn: (m) => write(`${stamp(now())} WARN ${clean(m)}`),
    error: (m) => write(`${stamp(now())} ERROR ${clean(m)}`),
  };
}
