/** Moved to src/storage/lock.ts; this re-export keeps older import paths working. */
export * from '../storage/lock.js';
