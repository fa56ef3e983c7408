/**
 * Process groups of the check commands running right now, in memory shared
 * by the pool and its worker threads. Terminating a worker thread does not
 * end a child process it started, so closing the pool kills these groups
 * itself. Lock-free: each slot holds a group id or 0.
 */

export interface ChildGroups {
  /** Records a running group; false when every slot is taken (the group then is not tracked). */
  add(pgid: number): boolean;
  remove(pgid: number): void;
  /** The groups recorded now. */
  list(): number[];
}

/** Memory for `slots` groups; pass it to the workers (e.g. in workerData). */
export function createChildGroupsBuffer(slots = 1024): SharedArrayBuffer {
  return new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT);
}

/** A view over memory from `createChildGroupsBuffer`; any number of threads may hold one. */
export function childGroups(buffer: SharedArrayBuffer): ChildGroups {
  const slots = new Int32Array(buffer);
  return {
    add(pgid) {
      for (let i = 0; i < slots.length; i++) {
        if (Atomics.compareExchange(slots, i, 0, pgid) === 0) return true;
      }
      return false;
    },
    remove(pgid) {
      for (let i = 0; i < slots.length; i++) {
        if (Atomics.compareExchange(slots, i, pgid, 0) === pgid) return;
      }
    },
    list() {
      const out: number[] = [];
      for (let i = 0; i < slots.length; i++) {
        const pgid = Atomics.load(slots, i);
        if (pgid !== 0) out.push(pgid);
      }
      return out;
    },
  };
}
