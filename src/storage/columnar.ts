/**
 * The container of compact segments (`*.cols.gz`): a closed day's samples as
 * typed columns behind a JSON header, gzipped. What the columns mean is the
 * history's business (src/history/columnar.ts); this file only packs, unpacks
 * and bounds them.
 *
 * Layout (after gunzip): "JMC1", u32 LE header length, header JSON, then
 * each column's bytes in header order, every part padded to 8 bytes. The
 * header lists the columns' types and lengths, so the exact inflated size of
 * a file is known once its header is read: inflating stops there, and at
 * `maxBytes` in any case, so a gzip bomb costs at most that much memory.
 * gzip's CRC catches a damaged file.
 */
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';

const MAGIC = 'JMC1';

/**
 * Inflated bytes one compact segment may hold unless told otherwise: 256 MiB,
 * about 30 times a day of 500 units sampled every 10 seconds.
 */
export const DEFAULT_MAX_SEGMENT_BYTES = 256 * 1024 * 1024;

type ColumnType = 'f64' | 'u32' | 'u16' | 'u8';
export type Column = Float64Array | Uint32Array | Uint16Array | Uint8Array;

interface ColumnInfo {
  name: string;
  type: ColumnType;
  length: number;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

/** A container read back: its header and its columns by name. */
export interface Container {
  header: Record<string, unknown>;
  columns: Map<string, Column>;
}

const BYTES: Record<ColumnType, number> = { f64: 8, u32: 4, u16: 2, u8: 1 };

function typeOf(c: Column): ColumnType {
  if (c instanceof Float64Array) return 'f64';
  if (c instanceof Uint32Array) return 'u32';
  if (c instanceof Uint16Array) return 'u16';
  return 'u8';
}

/** Arithmetic, not bitwise: a hostile header may declare sizes past 2^31. */
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Packs `header` (plus the column list) and `columns`, gzipped. */
export function encodeContainer(header: Record<string, unknown>, columns: Record<string, Column>): Buffer {
  const info: ColumnInfo[] = Object.entries(columns).map(([name, c]) => ({ name, type: typeOf(c), length: c.length }));
  const headerBytes = Buffer.from(JSON.stringify({ ...header, columns: info }), 'utf8');
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1'), Buffer.alloc(4)];
  parts[1]!.writeUInt32LE(headerBytes.length);
  parts.push(headerBytes, Buffer.alloc(pad8(8 + headerBytes.length) - 8 - headerBytes.length));
  for (const c of Object.values(columns)) {
    parts.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength), Buffer.alloc(pad8(c.byteLength) - c.byteLength));
  }
  return gzipSync(Buffer.concat(parts));
}

function makeColumn(type: ColumnType, length: number): Column {
  switch (type) {
    case 'f64':
      return new Float64Array(length);
    case 'u32':
      return new Uint32Array(length);
    case 'u16':
      return new Uint16Array(length);
    default:
      return new Uint8Array(length);
  }
}

type HeaderRead = { ok: true; header: Record<string, unknown>; size: number } | { ok: false; error: string } | { ok: 'more' };

/**
 * Reads the header from the first inflated bytes: `more` until all of it is
 * there; then the header and the exact size the whole container must have.
 */
function readHeader(raw: Buffer, kind: string, maxBytes: number): HeaderRead {
  if (raw.length < 8) return raw.length >= 4 && raw.toString('latin1', 0, 4) !== MAGIC ? { ok: false, error: 'not a compact segment' } : { ok: 'more' };
  if (raw.toString('latin1', 0, 4) !== MAGIC) return { ok: false, error: 'not a compact segment' };
  const headerLength = raw.readUInt32LE(4);
  if (8 + headerLength > maxBytes) return { ok: false, error: `header of ${headerLength} bytes is over the bound of ${maxBytes} bytes a segment may hold` };
  if (8 + headerLength > raw.length) return { ok: 'more' };
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(raw.toString('utf8', 8, 8 + headerLength)) as Record<string, unknown>;
  } catch {
    return { ok: false, error: 'damaged header' };
  }
  if (typeof header !== 'object' || header === null || header.kind !== kind || header.version !== 1 || !Array.isArray(header.columns)) {
    return { ok: false, error: `not a version 1 ${kind} segment` };
  }
  let size = pad8(8 + headerLength);
  for (const c of header.columns as ColumnInfo[]) {
    if (typeof c !== 'object' || c === null || !(c.type in BYTES) || !Number.isInteger(c.length) || c.length < 0) return { ok: false, error: 'bad column' };
    size += pad8(c.length * BYTES[c.type]);
  }
  if (size > maxBytes) return { ok: false, error: `declares ${size} bytes, over the bound of ${maxBytes} bytes a segment may hold` };
  return { ok: true, header, size };
}

/** Splits inflated bytes into the columns the header lists (the header was checked by readHeader). */
function unpack(raw: Buffer, kind: string, maxBytes: number): Decoded<Container> {
  const head = readHeader(raw, kind, maxBytes);
  if (head.ok === 'more') return { ok: false, error: raw.length < 8 ? 'not a compact segment' : 'truncated header' };
  if (!head.ok) return head;
  const { header } = head;
  const columns = new Map<string, Column>();
  let pos = pad8(8 + raw.readUInt32LE(4));
  for (const c of header.columns as ColumnInfo[]) {
    const bytes = c.length * BYTES[c.type];
    if (pos + bytes > raw.length) return { ok: false, error: `truncated column ${c.name}` };
    const col = makeColumn(c.type, c.length);
    // Copy rather than view: the inflated buffer need not be aligned for the column type.
    new Uint8Array(col.buffer).set(raw.subarray(pos, pos + bytes));
    columns.set(c.name, col);
    pos += pad8(bytes);
  }
  return { ok: true, value: { header, columns } };
}

/** Inflates and unpacks `file` at once, refusing more than `maxBytes` of output (for small files and tests). */
export function decodeContainer(file: Buffer, kind: string, maxBytes = DEFAULT_MAX_SEGMENT_BYTES): Decoded<Container> {
  let raw: Buffer;
  try {
    raw = gunzipSync(file, { maxOutputLength: maxBytes });
  } catch (e) {
    return { ok: false, error: `not a readable compact segment (${(e as Error).message})` };
  }
  return unpack(raw, kind, maxBytes);
}

/**
 * As {@link decodeContainer}, inflating in steps off the main thread (zlib's
 * thread pool): the magic is checked in the first step, the size the header
 * declares bounds the rest, so garbage or a bomb is refused after about one
 * step (1 MiB) past what the file may legitimately hold.
 */
export function readContainer(file: Buffer, kind: string, maxBytes = DEFAULT_MAX_SEGMENT_BYTES): Promise<Decoded<Container>> {
  return new Promise((resolve) => {
    const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
    const chunks: Buffer[] = [];
    let size = 0;
    let limit = maxBytes;
    let sized = false;
    let settled = false;
    const settle = (r: Decoded<Container>): void => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      resolve(r);
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (!sized) {
        const head = readHeader(chunks.length === 1 ? chunk : Buffer.concat(chunks, size), kind, maxBytes);
        if (head.ok === false) return settle(head);
        if (head.ok === true) {
          sized = true;
          limit = head.size;
        }
      }
      if (size > limit) {
        settle({ ok: false, error: sized ? `inflates past the ${limit} bytes its header declares` : `inflates past the bound of ${maxBytes} bytes a segment may hold` });
      }
    });
    gunzip.on('error', (e) => settle({ ok: false, error: `not a readable compact segment (${e.message})` }));
    gunzip.on('end', () => settle(unpack(Buffer.concat(chunks, size), kind, maxBytes)));
    gunzip.end(file);
  });
}
