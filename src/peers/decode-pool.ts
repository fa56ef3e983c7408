/**
 * The main-thread side of peer decoding: bodies go to one pool thread
 * (workers/peer-decode.ts) and come back as checked values. One thread is
 * enough (peer refreshes are spread over time) and it exits when idle, so a
 * node without peers, or between refreshes, pays nothing for it. The
 * thread's heap is capped: a body that would need more fails alone, as an
 * error on that peer.
 */
import { fileURLToPath } from 'node:url';
import { requireCjs } from '../cjs.js';
import { workerFile as compiledWorker } from '../paths.js';
import { boundText } from './limits.js';
import { decodePeerBody, type DecodeJob, type DecodedPayload } from './decode.js';

/** Decodes peer bodies; never rejects. */
export interface PeerDecoder {
  decode(job: DecodeJob): Promise<DecodedPayload>;
  close(): Promise<void>;
}

export interface DecodePoolOptions {
  /** The compiled worker module. Default: dist/workers/peer-decode.js beside this file's dist/src/peers/. */
  workerFile?: URL;
  /** Milliseconds the idle thread lives before it exits. Default 30 000. */
  idleTimeout?: number;
  /** Heap cap of the thread. Default 384 MiB: a 64 MiB body (the decoded cap) parses within it. */
  maxOldGenerationSizeMb?: number;
  /** A decode taking longer is abandoned (the thread is replaced). Default 60 s. */
  timeoutMs?: number;
}

/** Decodes on the calling thread: for tools and unit tests that want no pool; the daemon uses createPeerDecodePool. */
export const inThreadDecoder: PeerDecoder = {
  decode: (job) => Promise.resolve(decodePeerBody(job)),
  close: () => Promise.resolve(),
};

/** A body the thread can take over without a copy: its own whole ArrayBuffer. */
function movable(body: Uint8Array): Uint8Array {
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer) return body;
  return new Uint8Array(body);
}

/** Creates the pool (no thread starts until the first decode). */
export function createPeerDecodePool(opts: DecodePoolOptions = {}): PeerDecoder {
  const workerFile = opts.workerFile ?? compiledWorker('peer-decode.js');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const piscina = new (requireCjs('piscina') as typeof import('piscina')).Piscina({
    filename: fileURLToPath(workerFile),
    name: 'decodePeer',
    maxThreads: 1,
    minThreads: 0,
    idleTimeout: opts.idleTimeout ?? 30_000,
    atomics: 'async',
    resourceLimits: { maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? 384 },
    // Piscina's run and wait time histograms (two native HdrHistograms per pool, ~350 KiB each) are read by nothing here.
    recordTiming: false,
    // As the check pool: require(esm) in a thread torn down while loading aborts the process. Only that
    // flag: the daemon's own (package.json `start`: V8 heap flags, --expose-gc) are process-wide already,
    // and a Worker given them in execArgv refuses to start (ERR_WORKER_INVALID_EXEC_ARGV), so no peer
    // page was ever decoded by a daemon started with them (test/peers/start-flags.test.ts).
    execArgv: process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [],
  });
  // A thread that dies outside a job (its heap cap) must not take the daemon with it; the job's own promise reports it.
  piscina.on('error', () => undefined);
  let closed = false;
  return {
    async decode(job) {
      if (closed) return { ok: false, error: 'peer decoding is closed' };
      const body = movable(job.body);
      try {
        return (await piscina.run({ ...job, body }, { transferList: [body.buffer as ArrayBuffer], signal: AbortSignal.timeout(timeoutMs) })) as DecodedPayload;
      } catch (err) {
        const e = err as { code?: string; name?: string; message?: string };
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') return { ok: false, error: 'body too large to decode within the memory bound' };
        if (e.name === 'AbortError' || e.name === 'TimeoutError') return { ok: false, error: `body not decoded within ${timeoutMs / 1000} s` };
        return { ok: false, error: `decoding failed: ${boundText(e.message ?? String(err), 200)}` };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await piscina.destroy();
    },
  };
}
