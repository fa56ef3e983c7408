/**
 * `<jm-node-card>`: one node — name, id, local or peer, uptime pill, number
 * of units, last sync, latest sample, a visible STALE / SYNC ERROR state for
 * peers, the DNS probe, and a row per unit.
 *
 * Data comes from the `snapshot` property, or, in attribute mode
 * (`base-url` + `node-id`), from the node's own `/api/cluster` polling.
 * A node with many units renders only the rows near the viewport
 * (`<lit-virtualizer>`); `revealUnit()` brings any row into view.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { LitVirtualizer } from '@lit-labs/virtualizer/LitVirtualizer.js';
import { attributePoller, type ClusterPoller } from './cluster-poller.js';
import { emit } from './events.js';
import { syncFlags } from './fleet.js';
import { formatDateTime, formatPercent, formatRelative, uptimeLevel } from './format.js';
import { nodeName } from './incidents.js';
import { probeView, type ProbeView } from './probe.js';
import { nodeCardStyles } from './jm-node-card.styles.js';
import { theme } from './theme.js';
import type { PeerSnapshot, RangeName } from './types.js';
import { nodeUptime, unitViews, viewsByKey, type UnitView } from './units.js';

/**
 * From this many shown rows on, only those near the viewport are in the
 * DOM. Below it every row is rendered, so the browser's find-in-page sees
 * all units of a small node.
 */
export const VIRTUALIZE_FROM = 40;

/** True when a unit passes the filter text and the only-problems switch. */
export function unitMatches(u: UnitView, needle: string, problemsOnly: boolean): boolean {
  return (!problemsOnly || u.tone !== 'ok') && (!needle || u.name.toLowerCase().includes(needle) || u.id.toLowerCase().includes(needle));
}

export class JmNodeCard extends LitElement {
  static override properties = {
    snapshot: { attribute: false },
    baseUrl: { type: String, attribute: 'base-url' },
    nodeId: { type: String, attribute: 'node-id' },
    range: { type: String },
    apiKey: { type: String, attribute: 'api-key' },
    filter: { type: String },
    problemsOnly: { type: Boolean, attribute: 'problems-only' },
    collapsed: { type: Boolean, reflect: true },
    now: { attribute: false },
    units: { attribute: false },
    uptime: { attribute: false },
    highlight: { state: true },
  };

  /** The node to show (one entry of `/api/cluster`'s `nodes`). */
  snapshot: PeerSnapshot | null = null;
  /** Attribute mode: the JobMonitor to ask ('' = this page's origin). */
  baseUrl: string | undefined = undefined;
  /** Attribute mode: which node of that JobMonitor's cluster to show. */
  nodeId = '';
  /** Attribute mode: `24h` (default) or `30d`. */
  range: RangeName = '24h';
  /** Attribute mode: sent as a Bearer token. */
  apiKey: string | undefined = undefined;
  /** Show only units whose name or id contains this text (case-insensitive). */
  filter = '';
  /** Show only units that are not ok. */
  problemsOnly = false;
  /** Fold the units that are ok (the header, sync state, probe and the units with problems stay). */
  collapsed = false;
  /** Clock for relative times; injectable for tests. */
  now: () => number = Date.now;
  /**
   * The rows, already built from `snapshot` (the dashboard builds them once
   * for its summary too); computed here when not given.
   */
  units: UnitView[] | null = null;
  /** The node's mean uptime, when given with `units` (the snapshot then lists no uptime rows); computed here when undefined. */
  uptime: number | null | undefined = undefined;

  /** Key of the row brought into view by `revealUnit()` (outlined). */
  protected highlight: string | null = null;
  private poller: ClusterPoller | null = null;
  private rows: UnitView[] = [];
  private probe: ProbeView | null = null;
  private shown: UnitView[] = [];

  static override styles = [theme, nodeCardStyles];

  override connectedCallback(): void {
    this.poller ??= attributePoller(this);
    super.connectedCallback();
  }

  private current(): PeerSnapshot | null {
    if (!this.poller) return this.snapshot;
    return this.poller.data?.nodes.find((n) => n.node.id === this.nodeId) ?? null;
  }

  private lastSnapshot: PeerSnapshot | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.poller && this.hasUpdated && (changed.has('range') || changed.has('baseUrl') || changed.has('nodeId'))) {
      this.poller.refresh('config');
    }
    const snap = this.current();
    if (snap !== this.lastSnapshot || changed.has('units')) {
      this.lastSnapshot = snap;
      this.rows = this.units ?? (snap ? unitViews(snap, viewsByKey(this.rows)) : []);
      this.probe = snap ? probeView(snap) : null;
    }
    const needle = this.filter.trim().toLowerCase();
    // A folded card still lists its units with problems: folding hides what is fine.
    const problemsOnly = this.problemsOnly || this.collapsed;
    this.shown = needle || problemsOnly ? this.rows.filter((u) => unitMatches(u, needle, problemsOnly)) : this.rows;
  }

  protected override render(): unknown {
    const snap = this.current();
    if (!snap) return this.renderPlaceholder();
    const name = nodeName(snap);
    const uptime = this.uptime !== undefined ? this.uptime : nodeUptime(snap);
    const level = uptimeLevel(uptime);
    const isPeer = snap.source !== 'local';
    const { stale, failed, syncing } = syncFlags(snap, this.rows.length);
    const state = failed && !stale && this.rows.length === 0 ? 'bad' : failed || stale ? 'stale' : '';
    return html`<article class=${state} aria-label=${`Node ${name}`}>
      <header>
        <div class="title">
          <h2 tabindex="-1">
            <span>${name}</span>
            <span class="badge source">${isPeer ? 'peer' : 'local'}</span>
            ${stale ? html`<span class="badge tone-warn">stale</span>` : nothing}
            ${failed ? html`<span class="badge tone-error">sync error</span>` : nothing}
            ${syncing ? html`<span class="badge tone-unknown">syncing</span>` : nothing}
          </h2>
          <span class="id">ID: ${snap.node.id}</span>
        </div>
        <div class="actions">
          <span class="pill level-${syncing && uptime === null ? 'none' : level}"
            >${uptime !== null ? `${formatPercent(uptime)} uptime` : syncing ? 'syncing' : this.rows.length ? 'no data' : 'n/a'}</span
          >
          ${this.rows.length > 0
            ? html`<button
                type="button"
                aria-expanded=${this.collapsed ? 'false' : 'true'}
                aria-label=${`${this.collapsed ? 'Show' : 'Hide'} the units of ${name}`}
                @click=${this.toggle}
              >
                ${this.collapsed ? 'Show all units' : 'Hide units'}
              </button>`
            : nothing}
        </div>
      </header>
      <div class="meta">
        <span>Services <b>${this.rows.length}</b></span>
        <span title=${snap.updated_at}
          >${failed ? 'Last attempt' : 'Last sync'} <b>${formatDateTime(snap.updated_at)}</b></span
        >
        <span title=${snap.status?.timestamp ?? ''}
          >Latest sample <b>${snap.status?.timestamp ? formatDateTime(snap.status.timestamp) : 'none yet'}</b></span
        >
      </div>
      ${failed || stale ? this.renderSync(snap, stale) : nothing}
      ${this.probe ? html`<jm-probe .probe=${this.probe} .now=${this.now}></jm-probe>` : nothing}
      ${this.collapsed && this.shown.length === 0 ? nothing : this.renderUnits(snap)}
    </article>`;
  }

  private renderSync(snap: PeerSnapshot, stale: boolean): unknown {
    const now = this.now();
    const lastGood = snap.last_success_at;
    const failures = snap.consecutive_failures;
    const hasData = this.rows.length > 0;
    return html`<div class="sync ${stale ? 'stale' : ''}" role="status">
      <strong>${stale ? 'Stale data.' : 'Sync error.'}</strong> ${snap.error ?? 'The peer did not answer.'}
      <span class="muted">
        ${lastGood
          ? `Last successful sync ${formatDateTime(lastGood)} (${formatRelative(lastGood, now)}).`
          : hasData
            ? ''
            : 'No data received from this peer yet.'}
        ${typeof failures === 'number' && failures > 0 ? ` ${failures} failed attempt${failures === 1 ? '' : 's'} in a row.` : ''}
        ${hasData ? ' Showing the last data received.' : ''}
      </span>
    </div>`;
  }

  private renderUnits(snap: PeerSnapshot): unknown {
    if (this.rows.length === 0) {
      // A peer that failed says so in its sync box already.
      return snap.error ? nothing : html`<div class="note">This node reports no units yet.</div>`;
    }
    const hidden = this.rows.length - this.shown.length;
    const row = (u: UnitView): unknown =>
      html`<jm-unit-row
        role="listitem"
        .unit=${u}
        ?highlighted=${u.key === this.highlight}
        tabindex=${u.key === this.highlight ? '-1' : nothing}
      ></jm-unit-row>`;
    return html`${this.shown.length >= VIRTUALIZE_FROM
        ? html`<lit-virtualizer
            class="units"
            role="list"
            aria-label="Units"
            .items=${this.shown}
            .keyFunction=${(u: UnitView) => u.key}
            .renderItem=${row}
          ></lit-virtualizer>`
        : html`<div class="units" role="list" aria-label="Units">${repeat(this.shown, (u) => u.key, row)}</div>`}
      ${hidden > 0
        ? html`<div class="note">
            ${this.shown.length === 0
              ? 'No unit matches the filter'
              : `${hidden} unit${hidden === 1 ? '' : 's'} ${this.collapsed ? 'without problems folded' : 'hidden by the filter'}`}
            (${this.rows.length} in total).
          </div>`
        : nothing}`;
  }

  /**
   * Expands the card, scrolls the unit's row into view (also one the
   * virtual list has not rendered), outlines it and focuses it. Resolves to
   * false when the unit is not shown (unknown, or hidden by the filter).
   */
  async revealUnit(unitId: string): Promise<boolean> {
    if (this.collapsed) {
      this.collapsed = false;
      emit(this, 'jm-node-toggle', { nodeId: this.current()?.node.id ?? this.nodeId, collapsed: false });
    }
    await this.updateComplete;
    const index = this.shown.findIndex((u) => u.id === unitId);
    if (index < 0) return false;
    const key = this.shown[index]!.key;
    this.highlight = key;
    await this.updateComplete;
    const virtualizer = this.renderRoot.querySelector<LitVirtualizer>('lit-virtualizer');
    virtualizer?.element(index)?.scrollIntoView({ block: 'center' });
    const rowEl = await this.rowElement(key);
    if (!rowEl) return false;
    if (!virtualizer) rowEl.scrollIntoView({ block: 'center' });
    rowEl.focus({ preventScroll: true });
    return true;
  }

  /** Moves keyboard focus to the card's title (after a jump from the fleet summary). */
  focusHeader(): void {
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus({ preventScroll: true });
  }

  /** The rendered row of a unit; a virtual list renders it a frame or two after the scroll. */
  private async rowElement(key: string): Promise<HTMLElement | null> {
    for (let frame = 0; frame < 30; frame++) {
      const found = [...this.renderRoot.querySelectorAll<HTMLElement & { unit: UnitView | null }>('jm-unit-row')].find(
        (r) => r.unit?.key === key,
      );
      if (found) return found;
      await new Promise((r) => requestAnimationFrame(r));
    }
    return null;
  }

  private renderPlaceholder(): unknown {
    if (!this.poller) return nothing;
    const p = this.poller;
    const text = p.failure
      ? p.failure.message
      : p.loading || !p.data
        ? 'Loading…'
        : `Node "${this.nodeId}" is not part of this cluster.`;
    return html`<article><div class="note" role="status">${text}</div></article>`;
  }

  private readonly toggle = (): void => {
    this.collapsed = !this.collapsed;
    emit(this, 'jm-node-toggle', { nodeId: this.current()?.node.id ?? this.nodeId, collapsed: this.collapsed });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-node-card': JmNodeCard;
  }
}
