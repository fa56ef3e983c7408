/**
 * The JobMonitor dashboard bundle: registers the custom elements (once,
 * even when the bundle is loaded twice) and exports the classes and pure
 * helpers for pages that want to build their own views.
 *
 * Elements: <jm-dashboard>, <jm-fleet-summary>, <jm-node-card>, <jm-unit-row>,
 * <jm-timeline>, <jm-probe>, <jm-incidents>, <jm-legend>, <jm-api-key-form>,
 * and Lit's <lit-virtualizer> (the virtual list of a large node's rows).
 */
import { LitVirtualizer } from '@lit-labs/virtualizer/LitVirtualizer.js';
import { JmApiKeyForm } from './jm-api-key-form.js';
import { JmDashboard } from './jm-dashboard.js';
import { JmFleetSummary } from './jm-fleet-summary.js';
import { JmIncidents } from './jm-incidents.js';
import { JmLegend } from './jm-legend.js';
import { JmNodeCard } from './jm-node-card.js';
import { JmProbe } from './jm-probe.js';
import { JmTimeline } from './jm-timeline.js';
import { JmUnitRow } from './jm-unit-row.js';

export { JmApiKeyForm, JmDashboard, JmFleetSummary, JmIncidents, JmLegend, JmNodeCard, JmProbe, JmTimeline, JmUnitRow };
export { apiUrl, clusterUrl, fetchCluster, fetchClusterIfChanged, normalizeCluster } from './api.js';
export type { ClusterAnswer, ClusterRequest, FailureKind, FetchFailure, FetchResult } from './api.js';
export { ClusterPoller } from './cluster-poller.js';
export type { PollerOptions, RefreshReason } from './cluster-poller.js';
export { FeedPoller } from './feed-poller.js';
export type { FeedPollerOptions } from './feed-poller.js';
export { fleetFromCluster, nodeUrl, normalizeNode, normalizeSummary, summaryUrl } from './feed.js';
export type { FeedNodeDetail, FeedSummary, FeedSummaryNode, FleetData, NodeFeed } from './feed.js';
export { emit } from './events.js';
export type { JmEventMap } from './events.js';
export * from './format.js';
export { computeIncidents, nodeName } from './incidents.js';
export type { Incident } from './incidents.js';
export { probeView } from './probe.js';
export type { ProbeView } from './probe.js';
export * from './prefs.js';
export { checkProblemSince, connectivityProblemSince, timelineProblemSince } from './since.js';
export { RANGES, isRangeName } from './types.js';
export type * from './types.js';
export { briefView, nodeUptime, pointsOf, unitView, unitViews, viewsByKey } from './units.js';
export { buildFleet, defaultExpanded, isLargeFleet, nodeHead, syncFlags } from './fleet.js';
export type { NodeHead, NodeModel, SyncFlags, SyncState } from './fleet.js';
export { hashWithUnit, parseUnitAddress, readPageState, writePageState } from './url-state.js';
export type { PageState, UnitAddress } from './url-state.js';
export type { UnitView } from './units.js';

/** Tag name to class, in registration order (children before the elements that use them). */
export const ELEMENTS = {
  'lit-virtualizer': LitVirtualizer,
  'jm-timeline': JmTimeline,
  'jm-unit-row': JmUnitRow,
  'jm-probe': JmProbe,
  'jm-node-card': JmNodeCard,
  'jm-fleet-summary': JmFleetSummary,
  'jm-incidents': JmIncidents,
  'jm-legend': JmLegend,
  'jm-api-key-form': JmApiKeyForm,
  'jm-dashboard': JmDashboard,
} as const;

/**
 * Defines every element not yet defined. A second copy of the bundle (two
 * embeds on one page) finds them defined and leaves them alone.
 */
export function defineElements(registry: CustomElementRegistry = customElements): void {
  for (const [name, cls] of Object.entries(ELEMENTS)) {
    if (!registry.get(name)) registry.define(name, cls);
  }
}

defineElements();
