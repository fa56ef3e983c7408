/**
 * Small durable-file helpers shared by every store (history, peers, incidents):
 * data reaches the disk (fdatasync) before the call resolves.
 */
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Replaces `path` atomically: write a temporary file, sync it, rename it over. */
export async function writeDurably(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const h = await open(tmp, 'w');
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

/** Appends `text` to `path` (created when missing) and syncs it. */
export async function appendDurably(path: string, text: string): Promise<void> {
  const h = await open(path, 'a');
  try {
    await h.appendFile(text);
    await h.datasync();
  } finally {
    await h.close();
  }
}
