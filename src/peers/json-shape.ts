/**
 * A byte-level look at the shape of a JSON text as it streams in: how deep
 * objects and lists nest, and how many entries a list holds. No parsing, no
 * allocation per byte: the peer client runs it on each chunk as it arrives,
 * so a nesting bomb or a million-entry list is refused after its first bytes
 * rather than after 64 MiB have been buffered and handed to a parser.
 */
import type { PeerLimits } from './limits.js';

export interface ShapeLimits {
  /** Deepest nesting of objects and lists allowed. */
  maxDepth: number;
  /** Most entries one list may hold. */
  maxListEntries: number;
}

/** The shape bounds a peer's body is scanned with: nesting, and the longest list any of the limits allows. */
export function shapeLimits(limits: PeerLimits): ShapeLimits {
  return { maxDepth: limits.maxDepth, maxListEntries: Math.max(limits.maxEntries, limits.maxTargets) };
}

export interface ShapeScanner {
  /** Reads the next bytes; returns the problem found so far, or undefined. */
  push(bytes: Uint8Array): string | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** A scanner for one body; `push` its chunks in order. */
export function createShapeScanner(limits: ShapeLimits): ShapeScanner {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let problem: string | undefined;
  // Per depth: is the container a list, and how many commas it has seen so far.
  const isList = new Uint8Array(limits.maxDepth + 2);
  const commas = new Float64Array(limits.maxDepth + 2);
  const maxCommas = limits.maxListEntries - 1;
  return {
    push(bytes) {
      if (problem !== undefined) return problem;
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
        } else if (b === QUOTE) inString = true;
        else if (b === 0x7b || b === 0x5b) {
          if (++depth > limits.maxDepth) return (problem = `body nested deeper than ${limits.maxDepth} levels`);
          isList[depth] = b === 0x5b ? 1 : 0;
          commas[depth] = 0;
        } else if (b === 0x7d || b === 0x5d) {
          if (depth > 0) depth--;
        } else if (b === COMMA && isList[depth] === 1 && ++commas[depth]! > maxCommas) {
          return (problem = `body has a list of more than ${limits.maxListEntries} entries (peer_max_entries)`);
        }
      }
      return undefined;
    },
  };
}
