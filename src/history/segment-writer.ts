/** Moved to src/storage/segment-writer.ts; this re-export keeps older import paths working. */
export * from '../storage/segment-writer.js';
