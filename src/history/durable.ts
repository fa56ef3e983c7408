/** Moved to src/storage/durable.ts; this re-export keeps older import paths working. */
export * from '../storage/durable.js';
