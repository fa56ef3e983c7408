/**
 * Renders a badge as a flat shields.io-style SVG. The label and message are
 * data (a target's name, a state from systemd), so they are always escaped as
 * XML text and stripped of characters XML cannot hold.
 */

/** Colours by name (the names shields.io uses, so the endpoint JSON can send them as is). */
export const BADGE_COLORS = {
  brightgreen: '#4c1',
  green: '#97ca00',
  yellow: '#dfb317',
  orange: '#fe7d37',
  red: '#e05d44',
  lightgrey: '#9f9f9f',
} as const;

export type BadgeColor = keyof typeof BADGE_COLORS;

/** What a badge says: `label | message`, the message on `color`. */
export interface Badge {
  label: string;
  message: string;
  color: BadgeColor;
}

/** Longest label or message shown; longer text is cut with an ellipsis. */
export const MAX_BADGE_TEXT = 100;

/** Escapes `& < > " '` and removes code points XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF). */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Approximate width in pixels of `text` in 11px Verdana (the badge font):
 * close enough to size the box; `textLength` makes the glyphs fit it exactly.
 */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += CHAR_WIDTH[ch] ?? (ch.codePointAt(0)! > 0x2e80 ? 11 : 7.5);
  return Math.ceil(w);
}

/** Verdana 11px advance widths for ASCII, rounded to 0.1 px. */
const CHAR_WIDTH: Readonly<Record<string, number>> = (() => {
  const table: Record<string, number> = {};
  const set = (chars: string, width: number) => {
    for (const ch of chars) table[ch] = width;
  };
  set(' ', 3.9); set('!', 4.3); set('"', 5.1); set('#', 9); set('$', 7); set('%', 11.9); set('&', 8); set("'", 3);
  set('()', 5); set('*', 7); set('+<=>', 9.2); set(',.', 4); set('-', 5); set('/\\', 5); set('0123456789', 7);
  set(':;', 5); set('?', 6); set('@', 11); set('[]', 5); set('^', 9.2); set('_', 7); set('`', 7); set('{}', 7);
  set('|', 5); set('~', 9.2);
  set('ABKRVXY', 7.5); set('CDGHNOQU', 8.4); set('EPSTZ', 7); set('F', 6.3); set('IJ', 4.7); set('L', 6.2); set('M', 9.4); set('W', 10.9);
  set('abdeghknopquvxy', 6.8); set('cz', 5.8); set('fjt', 4); set('ilr', 3.4); set('m', 10.7); set('s', 5.7); set('w', 9);
  return table;
})();

const HEIGHT = 20;
const PAD = 6;

/** Cuts text to MAX_BADGE_TEXT characters (by code point). */
function clip(text: string): string {
  const chars = [...text];
  return chars.length > MAX_BADGE_TEXT ? `${chars.slice(0, MAX_BADGE_TEXT - 1).join('')}…` : text;
}

/** The badge as a standalone SVG document (no scripts, no external references, no ids). */
export function renderBadgeSvg(badge: Badge): string {
  const label = clip(badge.label);
  const message = clip(badge.message);
  const lw = textWidth(label);
  const mw = textWidth(message);
  const left = lw + 2 * PAD;
  const right = mw + 2 * PAD;
  const width = left + right;
  const color = BADGE_COLORS[badge.color];
  const title = escapeXml(`${label}: ${message}`);
  const text = (x: number, content: string, length: number) =>
    `<text x="${x}" y="15" fill="#010101" fill-opacity=".3" textLength="${length}">${content}</text>` +
    `<text x="${x}" y="14" textLength="${length}">${content}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    // No ids (clipPath, gradient): several badges inlined in one page would share the first one's.
    `<rect width="${width}" height="${HEIGHT}" rx="3" fill="#555"/>`,
    `<rect x="${left}" width="${right}" height="${HEIGHT}" rx="3" fill="${color}"/>`,
    `<rect x="${left}" width="4" height="${HEIGHT}" fill="${color}"/>`,
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">',
    text(left / 2, escapeXml(label), lw),
    text(left + right / 2, escapeXml(message), mw),
    '</g>',
    '</svg>',
  ].join('');
}
