/**
 * `<jm-node-card>`: one node — name, id, local or peer, uptime pill, number
 * of units, last sync, latest sample, a visible STALE / SYNC ERROR state for
 * peers, the DNS probe, and a row per unit.
 *
 * Data comes from the `snapshot` property, or, in attribute mode
 * (`base-url` + `node-id`), from the node's own `/api/cluster` polling.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { attributePoller, type ClusterPoller } from './cluster-poller.js';
import { formatDateTime, formatPercent, formatRelative, uptimeLevel } from './format.js';
import { nodeName } from './incidents.js';
import { probeView, type ProbeView } from './probe.js';
import { nodeCardStyles } from './jm-node-card.styles.js';
import { theme } from './theme.js';
import type { PeerSnapshot, RangeName } from './types.js';
import { nodeUptime, unitViews, type UnitView } from './units.js';

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
  /** Hide the unit rows (the header, probe and problems stay). */
  collapsed = false;
  /** Clock for relative times; injectable for tests. */
  now: () => number = Date.now;

  private poller: ClusterPoller | null = null;
  private units: UnitView[] = [];
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
    if (snap !== this.lastSnapshot) {
      this.lastSnapshot = snap;
      this.units = snap ? unitViews(snap) : [];
      this.probe = snap ? probeView(snap) : null;
    }
    const needle = this.filter.trim().toLowerCase();
    this.shown =
      needle || this.problemsOnly
        ? this.units.filter(
            (u) =>
              (!this.problemsOnly || u.tone !== 'ok') &&
              (!needle || u.name.toLowerCase().includes(needle) || u.id.toLowerCase().includes(needle)),
          )
        : this.units;
  }

  protected override render(): unknown {
    const snap = this.current();
    if (!snap) return this.renderPlaceholder();
    const name = nodeName(snap);
    const uptime = nodeUptime(snap);
    const level = uptimeLevel(uptime);
    const isPeer = snap.source !== 'local';
    // Our daemons mark a peer stale from its first failure on, before any data came; "stale" is only
    // true of data the card has, so a peer never reached reads as a sync error, not as old data.
    const stale = isPeer && snap.stale === true && (this.units.length > 0 || !!snap.status || !!snap.last_success_at);
    const failed = isPeer && !!snap.error;
    const state = failed && !stale && this.units.length === 0 ? 'bad' : failed || stale ? 'stale' : '';
    return html`<article class=${state} aria-label=${`Node ${name}`}>
      <header>
        <div class="title">
          <h2>
            <span>${name}</span>
            <span class="badge source">${isPeer ? 'peer' : 'local'}</span>
            ${stale ? html`<span class="badge tone-warn">stale</span>` : nothing}
            ${failed ? html`<span class="badge tone-error">sync error</span>` : nothing}
          </h2>
          <span class="id">ID: ${snap.node.id}</span>
        </div>
        <div class="actions">
          <span class="pill level-${level}">${uptime === null ? 'n/a' : `${formatPercent(uptime)} uptime`}</span>
          ${this.units.length > 0
            ? html`<button
                type="button"
                aria-expanded=${this.collapsed ? 'false' : 'true'}
                aria-label=${`${this.collapsed ? 'Show' : 'Hide'} the units of ${name}`}
                @click=${this.toggle}
              >
                ${this.collapsed ? 'Show units' : 'Hide units'}
              </button>`
            : nothing}
        </div>
      </header>
      <div class="meta">
        <span>Services <b>${this.units.length}</b></span>
        <span title=${snap.updated_at}
          >${failed ? 'Last attempt' : 'Last sync'} <b>${formatDateTime(snap.updated_at)}</b></span
        >
        <span title=${snap.status?.timestamp ?? ''}
          >Latest sample <b>${snap.status?.timestamp ? formatDateTime(snap.status.timestamp) : 'none yet'}</b></span
        >
      </div>
      ${failed || stale ? this.renderSync(snap, stale) : nothing}
      ${this.probe ? html`<jm-probe .probe=${this.probe} .now=${this.now}></jm-probe>` : nothing}
      ${this.collapsed ? nothing : this.renderUnits(snap)}
    </article>`;
  }

  private renderSync(snap: PeerSnapshot, stale: boolean): unknown {
    const now = this.now();
    const lastGood = snap.last_success_at;
    const failures = snap.consecutive_failures;
    const hasData = this.units.length > 0;
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
    if (this.units.length === 0) {
      // A peer that failed says so in its sync box already.
      return snap.error ? nothing : html`<div class="note">This node reports no units yet.</div>`;
    }
    const hidden = this.units.length - this.shown.length;
    return html`<div class="units" role="list" aria-label="Units">
        ${repeat(
          this.shown,
          (u) => u.key,
          (u) => html`<jm-unit-row role="listitem" .unit=${u}></jm-unit-row>`,
        )}
      </div>
      ${hidden > 0
        ? html`<div class="note">
            ${this.shown.length === 0 ? 'No unit matches the filter' : `${hidden} unit${hidden === 1 ? '' : 's'} hidden by the filter`}
            (${this.units.length} in total).
          </div>`
        : nothing}`;
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
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-node-card': JmNodeCard;
  }
}
