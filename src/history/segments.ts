/** Moved to src/storage/segments.ts; this re-export keeps older import paths working. */
export * from '../storage/segments.js';
