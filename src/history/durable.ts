/**
 * Small durable-file helpers shared by every store (history, peers, incidents):
 * data reaches the disk (fdatasync) before the call resolves.
 */
import { open, rename } from 'node:fs/promises';

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
