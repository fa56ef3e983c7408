/**
 * The peer-decode pool thread: parses and validates a peer's answer (or a
 * peer.json read from disk) within the limits given, so the main thread only
 * receives a bounded, checked value. Named handler `decodePeer`, run by
 * src/peers/decode-pool.ts on its own one-thread Piscina pool.
 */
import { decodePeerBody, type DecodeJob, type DecodedPayload } from '../src/peers/decode.js';

/** Handler "decodePeer": never throws for bad input; the result says what was wrong. */
export function decodePeer(job: DecodeJob): DecodedPayload {
  return decodePeerBody(job);
}
