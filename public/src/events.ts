/**
 * The CustomEvents the elements dispatch. All bubble and are composed, so a
 * page can listen on `document` whatever shadow root they start in.
 */
import type { FetchFailure } from './api.js';
import type { FleetData } from './feed.js';
import type { RefreshReason } from './poll-loop.js';
import type { RangeName } from './types.js';

export interface JmEventMap {
  /** The user picked another range (the dashboard then loads it). */
  'jm-range-change': { range: RangeName };
  /** A request for the cluster snapshot started. */
  'jm-refresh': { reason: RefreshReason; range: RangeName };
  /** New data arrived and is shown: every node's summary, and the rows of the open nodes (the compact feed, src/views/cluster-feed.ts). */
  'jm-data': { snapshot: FleetData };
  /** A request failed; the last good data stays on screen. */
  'jm-error': FetchFailure;
  /** The user submitted an API key in the 401 form. */
  'jm-api-key': { key: string; remember: boolean };
  /** The user asked to re-fetch now (from an inner element). */
  'jm-refresh-request': Record<string, never>;
  /** A node card's units were shown or hidden by the user. */
  'jm-node-toggle': { nodeId: string; collapsed: boolean };
  /**
   * Asks the dashboard to bring a unit's row into view (expanding its node,
   * scrolling the virtual list). Dispatch it, bubbling and composed, from
   * anything inside `<jm-dashboard>` (e.g. an incident entry) or on the
   * dashboard itself; `jm-dashboard.revealUnit()` and the location hash
   * `#unit=<node>/<unit>` do the same.
   */
  'jm-reveal-unit': { nodeId: string; unitId: string };
  /** The fleet summary asks for a node's card (`problems`: with only its problems shown). */
  'jm-show-node': { nodeKey: string; problems: boolean };
}

/** Dispatches a bubbling, composed CustomEvent from `target`. */
export function emit<K extends keyof JmEventMap>(target: EventTarget, name: K, detail: JmEventMap[K]): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'jm-range-change': CustomEvent<JmEventMap['jm-range-change']>;
    'jm-refresh': CustomEvent<JmEventMap['jm-refresh']>;
    'jm-data': CustomEvent<JmEventMap['jm-data']>;
    'jm-error': CustomEvent<JmEventMap['jm-error']>;
    'jm-api-key': CustomEvent<JmEventMap['jm-api-key']>;
    'jm-refresh-request': CustomEvent<JmEventMap['jm-refresh-request']>;
    'jm-node-toggle': CustomEvent<JmEventMap['jm-node-toggle']>;
    'jm-reveal-unit': CustomEvent<JmEventMap['jm-reveal-unit']>;
    'jm-show-node': CustomEvent<JmEventMap['jm-show-node']>;
  }
}
