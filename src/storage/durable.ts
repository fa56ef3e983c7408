/**
 * Small durable-file helpers shared by every store (history, peers, incidents):
 * data reaches the disk (fdatasync) before the call resolves. Files are
 * opened without following symlinks (safe-fs.ts), so nothing outside the data
 * directory is ever written through a link planted inside it.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openDataFile, type AsideNote } from './safe-fs.js';

/**
 * Replaces `path` atomically: write a temporary file, sync it, rename it over.
 * A rename replaces a symlink at `path` itself, never its target.
 */
export async function writeDurably(path: string, data: string | Buffer, onNote?: AsideNote): Promise<void> {
  const tmp = `${path}.tmp`;
  // A leftover (or planted) temporary file is removed first: unlink removes a link, not what it points to.
  await unlink(tmp).catch(() => undefined);
  const h = await openDataFile(tmp, 'truncate', onNote);
  try {
    await h.writeFile(data);
    await h.datasync();
  } finally {
    await h.close();
  }
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}

/** Makes a rename or a new file in `dir` durable; a platform that cannot sync a directory is not an error. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // The data files themselves were synced.
  }
}

/** Appends `text` to `path` (created when missing) and syncs it; a link found at `path` is moved aside, never followed. */
export async function appendDurably(path: string, text: string, onNote?: AsideNote): Promise<void> {
  const h = await openDataFile(path, 'append', onNote);
  try {
    await h.appendFile(text);
    await h.datasync();
  } finally {
    await h.close();
  }
}
