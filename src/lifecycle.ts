/**
 * What the daemon has opened, closed in reverse order: on stop, and on a
 * start that fails half-way, so a failure at any step releases exactly what
 * the steps before it took (the data-directory lock last).
 */
import type { Logger } from './log.js';

export interface Lifecycle {
  /** Registers how to close what was just opened. */
  defer(what: string, close: () => Promise<void> | void): void;
  /** Closes everything registered, newest first; a failing step is logged and the rest still run. */
  closeAll(): Promise<void>;
}

export function createLifecycle(log: Logger): Lifecycle {
  const steps: { what: string; close: () => Promise<void> | void }[] = [];
  return {
    defer(what, close) {
      steps.push({ what, close });
    },
    async closeAll() {
      for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
        try {
          await step.close();
        } catch (err) {
          log.error(`closing ${step.what} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    },
  };
}

/** A start step that failed: its message is what `startDaemon` reports. */
export class StartError extends Error {}

/** The value of a step's result, or a StartError with its message. */
export function must<T>(r: { ok: true; value: T } | { ok: false; error: string }, context: string): T {
  if (!r.ok) throw new StartError(`${context}: ${r.error}`);
  return r.value;
}
