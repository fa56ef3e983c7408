/**
 * A tiny logger in the original's format ("2026/11/28 10:35:47 message", UTC)
 * on stderr. Passed in as a dependency so tests can capture lines.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Longest message written; a longer one is cut with a marker (a backstop: callers bound what they quote). */
export const MAX_LOG_MESSAGE_CHARS = 16 * 1024;

/**
 * Every character that can end a line, move the cursor, or reorder what a
 * terminal or log viewer shows: C0 and C1 controls (U+0085 NEL and U+009B CSI
 * included), DEL, the Unicode line and paragraph separators, bidirectional
 * and zero-width format characters, the BOM and interlinear annotations.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One message, one line: unsafe characters escaped (`\x1b`, `\u2028`), so nothing can forge or hide a log line. */
export function cleanLogText(message: string): string {
  const cut = message.length > MAX_LOG_MESSAGE_CHARS ? `${message.slice(0, MAX_LOG_MESSAGE_CHARS)}…(${message.length - MAX_LOG_MESSAGE_CHARS} more)` : message;
  return cut.replace(UNSAFE, escapeChar);
}

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-28T10:35:47.123Z
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 19)}`;
}

export function createLogger(opts: { write?: (line: string) => void; now?: () => number } = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? Date.now;
  return {
    info: (m) => write(`${stamp(now())} ${cleanLogText(m)}`),
    warn: (m) => write(`${stamp(now())} WARN ${cleanLogText(m)}`),
    error: (m) => write(`${stamp(now())} ERROR ${cleanLogText(m)}`),
  };
}
