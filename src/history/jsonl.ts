/** Moved to src/storage/jsonl.ts; this re-export keeps older import paths working. */
export * from '../storage/jsonl.js';
