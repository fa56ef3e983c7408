/**
 * Opening data files without ever writing outside the data directory.
 *
 * Every data file is opened with O_NOFOLLOW, so a symlink planted where a
 * segment, `incidents.jsonl` or a temporary file should be fails the open
 * (ELOOP) instead of truncating or appending to the link's target. Such a
 * link (or anything else that is not a regular file: a directory, a fifo) is
 * renamed aside, which moves the link itself and never touches its target,
 * and the caller is told so it can log it. A regular file with more than
 * one hard link is moved aside the same way before it is written: O_NOFOLLOW
 * cannot see a hard link, but its link count can (see docs/storage.md).
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { isoSeconds } from '../history/time.js';

const { O_APPEND, O_CREAT, O_NOFOLLOW, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } = constants;

/** How a data file is opened; every mode refuses to follow a symlink. */
export type DataFileMode = 'read' | 'append' | 'readwrite' | 'truncate';

const FLAGS: Record<DataFileMode, number> = {
  read: O_RDONLY | O_NOFOLLOW,
  append: O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW,
  readwrite: O_RDWR | O_NOFOLLOW,
  truncate: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
};

/** Told when something found where a data file should be was moved aside. */
export type AsideNote = (message: string, path: string) => void;

/** `20261128T103811Z`, for the names of files kept aside. */
export function asideStamp(nowMs: number = Date.now()): string {
  return isoSeconds(nowMs).replace(/[-:]/g, '');
}

/**
 * Renames `path` to `<path>.<why>-<stamp>` (a free name), never following a
 * link and never deleting anything. Returns the new name, or undefined when
 * it could not be moved (the reason goes to `onNote`).
 */
export async function moveAside(path: string, why: string, onNote?: AsideNote): Promise<string | undefined> {
  const base = `${path}.${why}-${asideStamp()}`;
  let target = base;
  for (let n = 1; await lstat(target).then(() => true, () => false); n++) target = `${base}.${n}`;
  try {
    await rename(path, target);
    return target;
  } catch (e) {
    onNote?.(`cannot move it aside (${(e as NodeJS.ErrnoException).code ?? String(e)}); left in place and not used`, path);
    return undefined;
  }
}

/** What is at `path` when it is not a plain, singly linked file: 'symlink', 'not-a-file', 'hardlink'; undefined when fine or missing. */
export async function hostileKind(path: string): Promise<'symlink' | 'not-a-file' | 'hardlink' | undefined> {
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) return undefined;
  if (st.isSymbolicLink()) return 'symlink';
  if (!st.isFile()) return 'not-a-file';
  return st.nlink > 1 ? 'hardlink' : undefined;
}

const DESCRIBE = {
  symlink: 'a symbolic link where a data file belongs (it is never followed)',
  'not-a-file': 'not a regular file where a data file belongs',
  hardlink: 'a file with other hard links where a data file belongs (writing it would change the other names too)',
};

/**
 * Moves `path` aside when it is a symlink, not a regular file, or (with
 * `hardlinks`, for files about to be written) hard-linked elsewhere.
 * Returns true when something was found (moved or not).
 */
export async function setAsideIfHostile(path: string, onNote?: AsideNote, opts: { hardlinks?: boolean } = {}): Promise<boolean> {
  const kind = await hostileKind(path);
  if (kind === undefined || (kind === 'hardlink' && opts.hardlinks === false)) return false;
  const keptAs = await moveAside(path, kind === 'symlink' ? 'link' : 'aside', onNote);
  if (keptAs !== undefined) onNote?.(`${DESCRIBE[kind]}; moved aside as ${keptAs}`, path);
  return true;
}

/**
 * Opens a data file without following a symlink. When the open finds a link
 * (ELOOP), or a file about to be written has other hard links, and `onNote`
 * is given, the thing found is moved aside (see {@link setAsideIfHostile})
 * and the open is tried once more; otherwise, or on a second refusal, the
 * error is thrown. Something else that is not a regular file (a directory)
 * is an error (EISDIR), left in place: the caller retries later.
 */
export async function openDataFile(path: string, mode: DataFileMode, onNote?: AsideNote): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    let handle: FileHandle;
    try {
      handle = await open(path, FLAGS[mode], 0o644);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (attempt === 0 && onNote !== undefined && code === 'ELOOP' && (await setAsideIfHostile(path, onNote))) continue;
      throw e;
    }
    const st = await handle.stat().catch(() => undefined);
    if (st !== undefined && st.isFile() && (mode === 'read' || st.nlink <= 1)) return handle;
    await handle.close().catch(() => undefined);
    if (st !== undefined && !st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: st.isDirectory() ? 'EISDIR' : 'EINVAL' });
    if (attempt === 0 && onNote !== undefined && (await setAsideIfHostile(path, onNote))) continue;
    throw Object.assign(new Error(`${path} has other hard links; not written`), { code: 'EMLINK' });
  }
}

/** Reads a whole data file without following a link; a file over `maxBytes` is refused unread. */
export async function readDataFile(path: string, maxBytes: number): Promise<Buffer> {
  const h = await openDataFile(path, 'read');
  try {
    const { size } = await h.stat();
    if (size > maxBytes) throw new Error(`${size} bytes, over the bound of ${maxBytes}`);
    return await h.readFile();
  } finally {
    await h.close();
  }
}

/**
 * Makes sure `path` (a folder inside the data directory, e.g. `peers/<id>`)
 * is a real directory: a symlink or a file there is moved aside (and told),
 * then the directory is created. Only for folders the daemon creates itself:
 * the data directory may well be a link its operator made.
 */
export async function ensureDataDirectory(path: string, onNote?: AsideNote): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (st !== undefined && !st.isDirectory()) {
    const keptAs = await moveAside(path, st.isSymbolicLink() ? 'link' : 'aside', onNote);
    if (keptAs === undefined) throw Object.assign(new Error(`${path} is not a directory and cannot be moved aside`), { code: 'ENOTDIR' });
    onNote?.(`${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'} where a data folder belongs (never followed); moved aside as ${keptAs}`, path);
  }
  await mkdir(path, { recursive: true });
}
