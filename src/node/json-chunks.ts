/**
 * Serialised entries joined into JSON array text in chunks of bounded size,
 * so a month of 500 units streams out in pieces a socket can take one at a
 * time instead of becoming one string (or a few chunks of megabytes each).
 */

/** Bytes of JSON text per chunk (roughly: characters, counted before encoding). */
export const CHUNK_CHARS = 64 * 1024;

/**
 * The comma-joined `entries` (each already JSON) in chunks of about
 * `chunkChars`; a chunk after the first starts with its comma. Nothing is
 * yielded for no entries. One entry larger than the bound is one chunk.
 */
export function* joinedChunks(entries: Iterable<string>, chunkChars = CHUNK_CHARS): Generator<string, void, undefined> {
  let batch: string[] = [];
  let size = 0;
  let sep = '';
  for (const entry of entries) {
    batch.push(entry);
    size += entry.length + 1;
    if (size >= chunkChars) {
      yield sep + batch.join(',');
      sep = ',';
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield sep + batch.join(',');
}
