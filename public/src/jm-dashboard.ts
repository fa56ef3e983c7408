/**
 * `<jm-dashboard>`: the whole status page — header (title, data range, last
 * updated, Refresh, 24 h / 30 days), connection and API-key banners, the
 * incident list, a card per node and the legend. Polls `/api/cluster` of
 * `base-url` every `refresh-interval` seconds and keeps the last good data
 * on screen through failures and range switches.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ClusterPoller } from './cluster-poller.js';
import { emit } from './events.js';
import { formatDateTime, formatMoment, formatSpan, rangeLabel } from './format.js';
import { computeIncidents, nodeName } from './incidents.js';
import {
  browserPrefs,
  forgetApiKey,
  hashWithRange,
  rangeFromHash,
  readApiKey,
  readRange,
  saveApiKey,
  saveRange,
  type PrefStore,
} from './prefs.js';
import { dashboardStyles } from './jm-dashboard.styles.js';
import { fetchIncidentList, type IncidentList } from './stored-incidents.js';
import { theme } from './theme.js';
import { RANGES, isRangeName, type ClusterResponse, type PeerSnapshot, type RangeName } from './types.js';

/** The filter bar appears once there are enough units to need it. */
const FILTER_FROM_UNITS = 8;

interface NodeEntry {
  key: string;
  snapshot: PeerSnapshot;
}

/** Local node first, then peers by name: the original's peer order changes on every request. */
function orderedNodes(data: ClusterResponse | null): NodeEntry[] {
  if (!data) return [];
  const sorted = [...data.nodes].sort((a, b) => {
    if ((a.source === 'local') !== (b.source === 'local')) return a.source === 'local' ? -1 : 1;
    return nodeName(a).localeCompare(nodeName(b)) || a.node.id.localeCompare(b.node.id);
  });
  const seen = new Map<string, number>();
  return sorted.map((snapshot) => {
    const id = snapshot.node.id;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return { key: n ? `${id}#${n}` : id, snapshot };
  });
}

export class JmDashboard extends LitElement {
  static override properties = {
    baseUrl: { type: String, attribute: 'base-url' },
    range: { type: String, reflect: true },
    apiKey: { type: String, attribute: 'api-key' },
    heading: { type: String },
    refreshInterval: { type: Number, attribute: 'refresh-interval' },
    standalone: { type: Boolean },
    prefs: { attribute: false },
    now: { attribute: false },
    fetchImpl: { attribute: false },
    filter: { state: true },
    problemsOnly: { state: true },
    storedKey: { state: true },
    storedIncidents: { state: true },
  };

  /** Origin (and optional path prefix) of the JobMonitor to show; '' = this page's origin. */
  baseUrl = '';
  /**
   * `24h` or `30d`. When not set by the page, the dashboard restores the
   * user's last choice (location hash in standalone mode, else storage).
   */
  range: RangeName | undefined = undefined;
  /** A fixed API key (sent as Bearer); otherwise the user can enter one after a 401. */
  apiKey: string | undefined = undefined;
  /** The page title shown in the header. */
  heading = 'System Status';
  /** Seconds between polls (from the end of one to the start of the next). */
  refreshInterval = 30;
  /** The dashboard owns the page: keeps the range in the location hash and the incident count in the tab title. */
  standalone = false;
  /** Where the range and a user-entered key are remembered. */
  prefs: PrefStore = browserPrefs();
  /** Clock; injectable for tests. */
  now: () => number = Date.now;
  /** fetch implementation; injectable for tests. */
  fetchImpl: typeof fetch | undefined = undefined;

  protected filter = '';
  protected problemsOnly = false;
  protected storedKey: string | null = null;
  /** The node's stored incidents, refreshed after each snapshot; null for a node without them. */
  protected storedIncidents: IncidentList | null = null;
  private incidentsRequest: AbortController | null = null;

  private readonly poller = new ClusterPoller(this, {
    baseUrl: () => this.baseUrl,
    range: () => this.range ?? '24h',
    apiKey: () => this.effectiveKey(),
    intervalMs: () => Math.max(1, Number(this.refreshInterval) || 30) * 1000,
    now: () => this.now(),
    fetchImpl: (...args) => (this.fetchImpl ?? fetch)(...args),
    onStart: (reason, range) => emit(this, 'jm-refresh', { reason, range }),
    onData: (snapshot) => {
      emit(this, 'jm-data', { snapshot });
      void this.loadIncidents(snapshot.range);
    },
    onFailure: (failure) => emit(this, 'jm-error', failure),
  });

  private nodes: NodeEntry[] = [];
  private snapshots: PeerSnapshot[] = [];
  private nodesFrom: ClusterResponse | null = null;
  private incidentCount = 0;
  private unitCount = 0;

  static override styles = [theme, dashboardStyles];

  override connectedCallback(): void {
    if (!isRangeName(this.range)) {
      this.range =
        (this.standalone ? rangeFromHash(location.hash) : null) ?? readRange(this.prefs, this.baseUrl) ?? '24h';
    }
    this.storedKey = readApiKey(this.prefs, this.baseUrl);
    if (this.standalone) window.addEventListener('hashchange', this.onHash);
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.incidentsRequest?.abort();
    window.removeEventListener('hashchange', this.onHash);
  }

  /** Stored incidents for the range just shown; a node without the route (an original one) shows the snapshot's list only. */
  private async loadIncidents(range: RangeName): Promise<void> {
    this.incidentsRequest?.abort();
    const controller = new AbortController();
    this.incidentsRequest = controller;
    const r = await fetchIncidentList({
      baseUrl: this.baseUrl,
      range,
      apiKey: this.effectiveKey(),
      signal: controller.signal,
      fetchImpl: (...args) => (this.fetchImpl ?? fetch)(...args),
    });
    if (controller.signal.aborted) return;
    if (r.ok) this.storedIncidents = r.value;
    else if (r.missing) this.storedIncidents = null; // other failures keep the last list
  }

  private effectiveKey(): string | null {
    return this.apiKey || this.storedKey || null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.hasUpdated && (changed.has('baseUrl') || changed.has('apiKey') || changed.has('range'))) {
      if (changed.has('baseUrl')) this.storedKey = readApiKey(this.prefs, this.baseUrl);
      this.poller.refresh(changed.has('range') ? 'range' : 'config');
    }
    const data = this.poller.data;
    if (data !== this.nodesFrom) {
      this.nodesFrom = data;
      this.nodes = orderedNodes(data);
      this.snapshots = this.nodes.map((e) => e.snapshot);
      this.incidentCount = computeIncidents(data?.nodes ?? []).length;
      this.unitCount = this.nodes.reduce((n, e) => n + (e.snapshot.services?.length ?? 0), 0);
    }
  }

  protected override updated(): void {
    if (this.standalone && this.poller.data) {
      const prefix = this.incidentCount ? `(${this.incidentCount}) ` : '';
      document.title = `${prefix}${this.heading} · JobMonitor`;
    }
  }

  protected override render(): unknown {
    const p = this.poller;
    const data = p.data;
    const range = this.range ?? '24h';
    const switching = p.loading && data !== null && data.range !== range;
    return html`${p.loading ? html`<div class="progress" role="progressbar" aria-label="Loading"></div>` : nothing}
      <div class="page">
        <header>
          <div class="top">
            <h1>${this.heading}</h1>
            <div class="controls">
              <div class="toggle" role="group" aria-label="Time range">
                ${RANGES.map(
                  (r) =>
                    html`<button type="button" aria-pressed=${r === range ? 'true' : 'false'} @click=${() => this.selectRange(r)}>
                      ${r === '24h' ? '24 h' : '30 days'}
                    </button>`,
                )}
              </div>
              <button type="button" class="refresh" aria-disabled=${p.loading ? 'true' : 'false'} @click=${this.onRefresh}>
                ${p.loading ? 'Refreshing…' : 'Refresh'}
              </button>
            </div>
          </div>
          <div class="sub">
            <span
              >${switching
                ? `Loading ${rangeLabel(range).toLowerCase()}…`
                : data
                  ? `${rangeLabel(data.range)} (${formatSpan(data.range_start, data.range_end)})`
                  : 'No data yet'}</span
            >
            <span class="updated" title=${data ? formatDateTime(data.generated_at) : ''}
              >Last updated: ${data ? formatMoment(data.generated_at, this.now()) : '—'}</span
            >
            ${data ? this.renderOverall() : nothing}
          </div>
        </header>
        ${this.renderBanner()}
        ${this.unitCount >= FILTER_FROM_UNITS ? this.renderFilters() : nothing}
        <main>
          ${data && this.nodes.length ? html`<jm-incidents .nodes=${this.snapshots} .stored=${this.storedIncidents} .now=${this.now}></jm-incidents>` : nothing}
          ${this.nodes.length
            ? repeat(
                this.nodes,
                (e) => e.key,
                (e) =>
                  html`<jm-node-card
                    .snapshot=${e.snapshot}
                    .filter=${this.filter}
                    .problemsOnly=${this.problemsOnly}
                    .now=${this.now}
                  ></jm-node-card>`,
              )
            : html`<div class="empty" role="status">
                ${data
                  ? 'No nodes reported yet. Make sure JobMonitor has collected at least one sample.'
                  : p.failure
                    ? 'No data could be loaded yet.'
                    : 'Loading the status…'}
              </div>`}
          <jm-legend></jm-legend>
        </main>
      </div>`;
  }

  private renderOverall(): unknown {
    const n = this.incidentCount;
    return n === 0
      ? html`<span class="pill overall tone-ok">All systems operational</span>`
      : html`<span class="pill overall tone-error">${n} incident${n === 1 ? '' : 's'}</span>`;
  }

  private renderBanner(): unknown {
    const p = this.poller;
    const f = p.failure;
    if (!f) return nothing;
    const now = this.now();
    if (f.kind === 'unauthorized') {
      const sent = this.effectiveKey() !== null;
      return html`<div class="banner auth" role="alert">
        <div class="row">
          <div>
            <strong>This JobMonitor needs an API key (HTTP ${f.status ?? 401}).</strong>
            <span class="detail"
              >${this.apiKey
                ? 'The key set by this page was rejected.'
                : `${f.message}. Enter the key configured on the server; it is sent as a Bearer token to this node only.`}</span
            >
          </div>
          ${this.storedKey ? html`<button type="button" @click=${this.onForgetKey}>Forget stored key</button>` : nothing}
        </div>
        ${this.apiKey ? nothing : html`<jm-api-key-form ?rejected=${sent} @jm-api-key=${this.onKey}></jm-api-key-form>`}
      </div>`;
    }
    const since = p.failingSince;
    const what =
      f.kind === 'http' || f.kind === 'invalid' ? 'The JobMonitor API answers with an error' : 'The JobMonitor API is unreachable';
    const shown =
      p.data && p.lastSuccessAt !== null
        ? `Showing the data received at ${formatMoment(p.lastSuccessAt, now)}. `
        : '';
    return html`<div class="banner" role="alert">
      <div class="row">
        <div>
          <strong>${what}${since !== null ? ` since ${formatMoment(since, now)}` : ''}.</strong>
          <span class="detail">${f.message}</span><br />
          <span class="detail"
            >${shown}${p.failures} failed attempt${p.failures === 1 ? '' : 's'}; retrying every ${this.refreshInterval} s.</span
          >
        </div>
        <button type="button" aria-disabled=${p.loading ? 'true' : 'false'} @click=${this.onRefresh}>Retry now</button>
      </div>
    </div>`;
  }

  private renderFilters(): unknown {
    return html`<div class="filters" role="search">
      <input
        type="search"
        aria-label="Filter units by name or id"
        placeholder="Filter units by name or id"
        .value=${this.filter}
        @input=${this.onFilter}
      />
      <label><input type="checkbox" .checked=${this.problemsOnly} @change=${this.onProblems} /> Only problems</label>
    </div>`;
  }

  /** Switches the range, remembers it, and loads it (old data stays until the new arrives). */
  selectRange(range: RangeName): void {
    if (range === this.range) return;
    this.range = range;
    saveRange(this.prefs, this.baseUrl, range);
    if (this.standalone) history.replaceState(history.state, '', hashWithRange(location.hash, range));
    emit(this, 'jm-range-change', { range });
  }

  /** Re-fetches now (no-op while the same request is already running). */
  refresh(): void {
    this.poller.refresh('manual');
  }

  /** aria-disabled rather than disabled: a focused button must keep focus while it waits. */
  private readonly onRefresh = (): void => {
    if (!this.poller.loading) this.refresh();
  };

  private readonly onHash = (): void => {
    const range = rangeFromHash(location.hash);
    if (range && range !== this.range) this.selectRange(range);
  };

  private readonly onKey = (e: CustomEvent<{ key: string; remember: boolean }>): void => {
    e.stopPropagation();
    saveApiKey(this.prefs, this.baseUrl, e.detail.key, e.detail.remember);
    this.storedKey = e.detail.key;
    this.poller.refresh('key');
  };

  private readonly onForgetKey = (): void => {
    forgetApiKey(this.prefs, this.baseUrl);
    this.storedKey = null;
  };

  private readonly onFilter = (e: Event): void => {
    this.filter = (e.target as HTMLInputElement).value;
  };

  private readonly onProblems = (e: Event): void => {
    this.problemsOnly = (e.target as HTMLInputElement).checked;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-dashboard': JmDashboard;
  }
}
