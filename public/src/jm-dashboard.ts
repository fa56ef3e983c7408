/**
 * `<jm-dashboard>`: the whole status page — header (title, data range, last
 * updated, Refresh, 24 h / 30 days), connection and API-key banners, the
 * fleet summary, the incident list, a card per node and the legend. Polls
 * `/api/cluster` of `base-url` every `refresh-interval` seconds and keeps the
 * last good data on screen through failures and range switches.
 *
 * In a large cluster healthy nodes start collapsed; "Only problems" and the
 * filter hide the nodes with nothing to show. In standalone mode the view
 * (range, filter, only problems, expanded nodes) lives in the location hash
 * (see url-state.ts), so it can be shared; `#unit=<node>/<unit>`, the
 * `jm-reveal-unit` event and `revealUnit()` bring a unit's row into view.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { emit } from './events.js';
import { formatDateTime, formatMoment, formatSpan, rangeLabel } from './format.js';
import { withoutRows, type FeedSummary, type FleetData } from './feed.js';
import { FeedPoller } from './feed-poller.js';
import { buildNode, defaultExpanded, fleetEntries, type NodeModel } from './fleet.js';
import { computeIncidents } from './incidents.js';
import { unitMatches, type JmNodeCard } from './jm-node-card.js';
import { browserPrefs, forgetApiKey, readApiKey, readRange, saveApiKey, saveRange, type PrefStore } from './prefs.js';
import { dashboardStyles } from './jm-dashboard.styles.js';
import { fetchIncidentList, type IncidentList } from './stored-incidents.js';
import { theme } from './theme.js';
import { RANGES, isRangeName, type PeerSnapshot, type RangeName } from './types.js';
import { readPageState, writePageState, type UnitAddress } from './url-state.js';

/** The filter bar appears once there are enough units to need it. */
const FILTER_FROM_UNITS = 8;

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
    expanded: { state: true },
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
  /** Keys of the nodes whose units are shown; null until the user chooses (then the defaults apply). */
  protected expanded: ReadonlySet<string> | null = null;
  /** The expanded set came from the user or the address (written to it), not from the defaults. */
  private expandedChosen = false;
  /** A unit to bring into view once the data is there (from the address or an early event). */
  private pendingUnit: UnitAddress | null = null;
  /** The unit last asked for through the address: kept in it, so the link can be shared. */
  private addressUnit: UnitAddress | null = null;
  protected storedKey: string | null = null;
  /** The node's stored incidents, refreshed after each snapshot; null for a node without them. */
  protected storedIncidents: IncidentList | null = null;
  private incidentsRequest: AbortController | null = null;

  private readonly poller = new FeedPoller(this, {
    baseUrl: () => this.baseUrl,
    range: () => this.range ?? '24h',
    apiKey: () => this.effectiveKey(),
    intervalMs: () => Math.max(1, Number(this.refreshInterval) || 30) * 1000,
    now: () => this.now(),
    fetchImpl: (...args) => (this.fetchImpl ?? fetch)(...args),
    useWorker: () => !this.fetchImpl,
    onStart: (reason, range) => emit(this, 'jm-refresh', { reason, range }),
    wanted: (summary) => this.openNodeIds(summary),
    onData: (data) => void this.integrate(data),
    onFailure: (failure) => emit(this, 'jm-error', failure),
  });

  private nodes: NodeModel[] = [];
  private nodesByKey = new Map<string, NodeModel>();
  private snapshots: PeerSnapshot[] = [];
  /** The data on screen (the poller may hold newer data still being taken in). */
  private nodesFrom: FleetData | null = null;
  private integrating: FleetData | null = null;
  /** Nodes built by the take-in under way (or one it superseded), kept until one completes. */
  private drafts = new Map<string, NodeModel>();
  private incidentCount = 0;
  private unitCount = 0;

  static override styles = [theme, dashboardStyles];

  constructor() {
    super();
    this.addEventListener('jm-reveal-unit', (e) => {
      e.stopPropagation();
      void this.revealUnit(e.detail.nodeId, e.detail.unitId);
    });
    this.addEventListener('jm-show-node', (e) => {
      e.stopPropagation();
      void this.showNode(e.detail.nodeKey, e.detail.problems);
    });
  }

  override connectedCallback(): void {
    const state = this.standalone ? readPageState(location.hash) : null;
    if (!isRangeName(this.range)) this.range = state?.range ?? readRange(this.prefs, this.baseUrl) ?? '24h';
    if (state) {
      this.filter = state.filter;
      this.problemsOnly = state.problemsOnly;
      this.expanded = state.expanded;
      this.expandedChosen = state.expanded !== null;
      this.pendingUnit = state.unit;
      this.addressUnit = state.unit;
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
  }

  /**
   * Takes in a new snapshot one node per task (a 500-unit node is joined
   * with its previous views in a few ms), so a poll of a large cluster never
   * holds the page for one long task; then shows it and says so (`jm-data`).
   * A newer snapshot arriving meanwhile supersedes this one.
   */
  private async integrate(data: FleetData): Promise<void> {
    this.integrating = data;
    const entries = fleetEntries(data);
    const built: NodeModel[] = [];
    for (const { key, feed } of entries) {
      // A node built by a take-in this one superseded is not built again (a range switch publishes batch by batch).
      const draft = this.drafts.get(key);
      const before = draft && draft.feed.summary === feed.summary && draft.feed.detail === feed.detail ? draft : this.nodesByKey.get(key);
      const model = buildNode(key, feed, before);
      built.push(model);
      this.drafts.set(key, model);
      // Each node built in its own task, and the render in one more; a node unchanged costs no task.
      if (model === before) continue;
      await new Promise((r) => setTimeout(r, 0));
      if (this.integrating !== data) return;
    }
    this.integrating = null;
    this.drafts.clear();
    this.nodesFrom = data;
    this.nodes = built;
    this.nodesByKey = new Map(built.map((m) => [m.key, m]));
    this.snapshots = built.map((m) => m.snapshot);
    this.incidentCount = computeIncidents(this.snapshots).length;
    this.unitCount = built.reduce((n, m) => n + m.units.length, 0);
    // The first data fixes the default view; later polls never fold or unfold a card by themselves.
    if (this.expanded === null && built.length > 0) this.expanded = defaultExpanded(entries);
    this.requestUpdate();
    await this.updateComplete;
    emit(this, 'jm-data', { snapshot: data });
    void this.loadIncidents(data.range);
  }

  /** The ids of the nodes shown open, whose rows the poller keeps loaded (before the first data: the default view). */
  private openNodeIds(summary: FeedSummary): Set<string> {
    const entries = fleetEntries(withoutRows(summary));
    const open = this.expanded ?? defaultExpanded(entries);
    return new Set(entries.filter((e) => open.has(e.key)).map((e) => e.feed.summary.node.id));
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('expanded')) this.poller.wantedChanged();
    if (this.standalone && this.poller.data) {
      const prefix = this.incidentCount ? `(${this.incidentCount}) ` : '';
      document.title = `${prefix}${this.heading} · JobMonitor`;
    }
    if (this.standalone && (changed.has('filter') || changed.has('problemsOnly') || changed.has('expanded') || changed.has('range'))) {
      this.writeAddress();
    }
    if (this.pendingUnit && this.nodes.length > 0) {
      const { nodeId, unitId } = this.pendingUnit;
      this.pendingUnit = null;
      void this.revealUnit(nodeId, unitId);
    }
  }

  /** The view into the location hash (replaced, not pushed: Back leaves the page as before). */
  private writeAddress(): void {
    const hash = writePageState(location.hash, {
      range: this.range ?? null,
      filter: this.filter,
      problemsOnly: this.problemsOnly,
      expanded: this.expandedChosen ? this.expanded : null,
      unit: this.addressUnit,
    });
    if (hash !== location.hash) {
      history.replaceState(history.state, '', hash || `${location.pathname}${location.search}`);
    }
  }

  /** The nodes the current filter and only-problems switch leave on screen. */
  private visibleNodes(): NodeModel[] {
    const needle = this.filter.trim().toLowerCase();
    if (!needle && !this.problemsOnly) return this.nodes;
    return this.nodes.filter((m) => {
      if (this.problemsOnly && m.problems === 0) return false;
      // A node's own problem (sync, probe) shows with only-problems even when no unit matches.
      if (!needle) return true;
      return m.units.some((u) => unitMatches(u, needle, this.problemsOnly));
    });
  }

  protected override render(): unknown {
    const p = this.poller;
    const data = this.nodesFrom;
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
        <main>
          ${this.nodes.length > 1 ? html`<jm-fleet-summary .nodes=${this.nodes} .expanded=${this.expanded ?? new Set()}></jm-fleet-summary>` : nothing}
          ${data && this.nodes.length ? html`<jm-incidents .nodes=${this.snapshots} .stored=${this.storedIncidents} .now=${this.now}></jm-incidents>` : nothing}
          ${this.unitCount >= FILTER_FROM_UNITS || this.nodes.length > 1 ? this.renderFilters() : nothing}
          ${this.nodes.length ? this.renderNodes() : html`<div class="empty" role="status">
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

  private renderNodes(): unknown {
    const shown = this.visibleNodes();
    const hidden = this.nodes.length - shown.length;
    const open = this.expanded ?? new Set<string>();
    return html`${repeat(
        shown,
        (m) => m.key,
        (m) =>
          html`<jm-node-card
            data-key=${m.key}
            .snapshot=${m.snapshot}
            .units=${m.units}
            .uptime=${m.uptime}
            .filter=${this.filter}
            .problemsOnly=${this.problemsOnly}
            .collapsed=${!open.has(m.key)}
            .now=${this.now}
            @jm-node-toggle=${(e: CustomEvent<{ collapsed: boolean }>) => this.onToggle(m.key, e)}
          ></jm-node-card>`,
      )}
      ${hidden > 0
        ? html`<p class="hidden-nodes" role="status">
            ${hidden} node${hidden === 1 ? '' : 's'} hidden: ${this.problemsOnly && !this.filter.trim() ? 'no problems' : 'nothing matches'}.
          </p>`
        : nothing}`;
  }

  private setExpanded(key: string, open: boolean): void {
    const next = new Set(this.expanded ?? []);
    if (open) next.add(key);
    else next.delete(key);
    this.expanded = next;
    this.expandedChosen = true;
  }

  private onToggle(key: string, e: CustomEvent<{ collapsed: boolean }>): void {
    e.stopPropagation();
    this.setExpanded(key, !e.detail.collapsed);
    // A fold the user made by hand leaves the row a link pointed to.
    if (!e.detail.collapsed) return;
    if (this.addressUnit && this.nodesByKey.get(key)?.snapshot.node.id === this.addressUnit.nodeId) this.addressUnit = null;
  }

  /** Shows every node's units (`true`) or none (`false`). */
  expandAll(open: boolean): void {
    this.expanded = new Set(open ? this.nodes.map((m) => m.key) : []);
    this.expandedChosen = true;
    this.addressUnit = null;
  }

  /**
   * Brings a unit's row into view: clears a filter that hides it, expands its
   * node, scrolls the (virtual) list to it and outlines it. Resolves to false
   * when the node or unit is not in the data shown; before the first data
   * arrives the request waits for it.
   */
  async revealUnit(nodeId: string, unitId: string): Promise<boolean> {
    if (this.nodes.length === 0) {
      this.pendingUnit = { nodeId, unitId };
      return false;
    }
    const node = this.nodes.find((m) => m.snapshot.node.id === nodeId);
    const unit = node?.units.find((u) => u.id === unitId);
    if (!node || !unit) return false;
    if (!unitMatches(unit, this.filter.trim().toLowerCase(), this.problemsOnly)) {
      this.filter = '';
      this.problemsOnly = false;
    }
    if (!this.expanded?.has(node.key)) this.setExpanded(node.key, true);
    await this.updateComplete;
    await this.untilRowsShown();
    const card = this.cardOf(node.key);
    return card ? card.revealUnit(unitId) : false;
  }

  /**
   * Until the rows of the open nodes are on the page: rows arriving after a
   * reveal would change the heights above the row it scrolled to. Bounded
   * (10 s): a node whose rows cannot be loaded keeps its brief rows.
   */
  private async untilRowsShown(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const open = this.expanded ?? new Set<string>();
      if (this.nodes.every((m) => m.loaded || !open.has(m.key)) || (!this.poller.loading && this.integrating === null)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.updateComplete;
  }

  /** The fleet summary's links: a node's card, expanded, in view; with `problems`, only problems shown. */
  private async showNode(key: string, problems: boolean): Promise<void> {
    if (problems && !this.problemsOnly) this.problemsOnly = true;
    if (!problems && this.filter.trim()) this.filter = '';
    this.addressUnit = null;
    this.setExpanded(key, true);
    await this.updateComplete;
    const card = this.cardOf(key);
    if (!card) return;
    await card.updateComplete;
    card.scrollIntoView({ block: 'start' });
    card.focusHeader();
  }

  private cardOf(key: string): JmNodeCard | null {
    return this.renderRoot.querySelector<JmNodeCard>(`jm-node-card[data-key="${CSS.escape(key)}"]`);
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
      ${this.nodes.length > 1
        ? html`<span class="fold">
            <button type="button" @click=${() => this.expandAll(true)}>Expand all</button>
            <button type="button" @click=${() => this.expandAll(false)}>Collapse all</button>
          </span>`
        : nothing}
    </div>`;
  }

  /** Switches the range, remembers it, and loads it (old data stays until the new arrives). */
  selectRange(range: RangeName): void {
    if (range === this.range) return;
    this.range = range;
    saveRange(this.prefs, this.baseUrl, range);
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

  /** A changed address (pasted link, Back, an incident's `#unit=` link) is applied to the view. */
  private readonly onHash = (): void => {
    const state = readPageState(location.hash);
    if (state.range && state.range !== this.range) this.selectRange(state.range);
    this.filter = state.filter;
    this.problemsOnly = state.problemsOnly;
    if (state.expanded) {
      this.expanded = state.expanded;
      this.expandedChosen = true;
    }
    this.addressUnit = state.unit;
    if (state.unit) void this.revealUnit(state.unit.nodeId, state.unit.unitId);
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
    this.addressUnit = null;
  };

  private readonly onProblems = (e: Event): void => {
    this.problemsOnly = (e.target as HTMLInputElement).checked;
    this.addressUnit = null;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-dashboard': JmDashboard;
  }
}
