/**
 * `<jm-incidents>`: what needs attention now — peer sync errors, failed DNS
 * probes and units whose latest check is not ok — each with since when.
 * Computed from the snapshot, like the original's list; with the node's
 * stored incidents (`stored`, from /api/incidents) open problems are dated
 * from their incident's start, and the ones resolved in the range follow,
 * newest first, with how long they lasted. A host problem (one cause
 * hiding many units) is one item with the count and its units behind a
 * disclosure, in a box of its own height however many there are.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { formatDateTime, formatDuration, formatRelative, formatSpan, rangeLabel } from './format.js';
import { emit } from './events.js';
import { computeIncidents, type Incident } from './incidents.js';
import { storedTitle, withStoredIncidents, type IncidentList, type StoredIncident } from './stored-incidents.js';
import { panelStyles } from './panel.styles.js';
import { theme } from './theme.js';
import type { PeerSnapshot } from './types.js';

/** Long lists start folded: a page with hundreds of failing units stays readable. */
const FOLDED = 12;

export class JmIncidents extends LitElement {
  static override properties = {
    nodes: { attribute: false },
    now: { attribute: false },
    expanded: { state: true },
    stored: { attribute: false },
    resolvedExpanded: { state: true },
  };

  /** The cluster's nodes (`/api/cluster`'s `nodes`). */
  nodes: readonly PeerSnapshot[] = [];
  /** Clock for "for 3 min"; injectable for tests. */
  now: () => number = Date.now;

  /** The node's stored incidents (`/api/incidents`), or null when it has none (an original node) or they have not loaded. */
  stored: IncidentList | null = null;

  protected expanded = false;
  protected resolvedExpanded = false;
  private incidents: Incident[] = [];

  static override styles = [
    theme,
    panelStyles,
    css`
      .clear {
        margin: 0.6rem 0 0;
        color: var(--_ok);
        font-size: 0.92rem;
      }
      ul {
        list-style: none;
        margin: 0.8rem 0 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 24rem), 1fr));
        gap: 0.55rem;
      }
      li {
        display: grid;
        grid-template-columns: auto 1fr;
        align-content: start;
        gap: 0.1rem 0.7rem;
        padding: 0.6rem 0.8rem;
        border-radius: 12px;
        background: var(--_surface-2);
        border: 1px solid var(--_border);
      }
      .reveal {
        grid-column: 2;
        justify-self: start;
        margin-top: 0.25rem;
        font: inherit;
        font-size: 0.8rem;
        color: var(--_accent, inherit);
        background: none;
        border: 1px solid var(--_border);
        border-radius: 8px;
        padding: 0.1rem 0.6rem;
        cursor: pointer;
      }
      .reveal:focus-visible {
        outline: 2px solid var(--_focus, currentColor);
        outline-offset: 2px;
      }
      .dot {
        grid-row: span 3;
        width: 9px;
        height: 9px;
        margin-top: 0.38rem;
        border-radius: 50%;
        background: var(--_error);
        box-shadow: 0 0 0 3px color-mix(in srgb, var(--_error) 22%, transparent);
      }
      li.warn .dot {
        background: var(--_warn);
        box-shadow: 0 0 0 3px color-mix(in srgb, var(--_warn) 22%, transparent);
      }
      strong {
        color: var(--_error-text);
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      li.warn strong {
        color: var(--_warn-text);
      }
      .detail {
        font-size: 0.88rem;
        overflow-wrap: anywhere;
      }
      .since {
        font-size: 0.8rem;
        color: var(--_muted);
      }
      .more {
        margin-top: 0.8rem;
      }
      .resolved {
        margin-top: 1.1rem;
      }
      h3 {
        margin: 0 0 0.4rem;
        font-size: 0.95rem;
        font-weight: 600;
      }
      th,
      td {
        text-align: left;
        vertical-align: top;
        padding: 0.4rem 0.6rem 0.4rem 0;
        border-top: 1px solid var(--_border);
      }
      th {
        font-weight: 600;
        color: var(--_muted);
        border-top: none;
      }
      td.what strong {
        color: inherit;
      }
      td .detail,
      td.when {
        color: var(--_muted);
      }
      td.lasted {
        white-space: nowrap;
      }
      details.units {
        grid-column: 2;
        font-size: 0.85rem;
      }
      details.units summary {
        cursor: pointer;
        color: var(--_muted);
      }
      ul.unit-list {
        display: block;
        max-height: 14rem;
        overflow: auto;
        margin: 0.3rem 0 0;
        padding: 0 0 0 1.1rem;
        list-style: disc;
      }
      ul.unit-list li {
        display: list-item;
        padding: 0.05rem 0;
        border: none;
        border-radius: 0;
        background: none;
        overflow-wrap: anywhere;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('nodes') || changed.has('stored')) this.incidents = withStoredIncidents(computeIncidents(this.nodes), this.stored, this.nodes);
  }

  protected override render(): unknown {
    const all = this.incidents;
    const list = this.expanded ? all : all.slice(0, FOLDED);
    const now = this.now();
    return html`<section aria-labelledby="title">
      <div class="head">
        <h2 id="title">Incidents</h2>
        ${all.length
          ? html`<span class="count">${all.length} item${all.length === 1 ? '' : 's'} need${all.length === 1 ? 's' : ''} attention</span>`
          : nothing}
      </div>
      ${all.length === 0
        ? html`<p class="clear">No incidents: every node, probe and unit is healthy.</p>`
        : html`<ul>
              ${repeat(list, (i) => i.key, (i) => this.renderItem(i, now))}
            </ul>
            ${all.length > FOLDED
              ? html`<button class="more" type="button" aria-expanded=${this.expanded ? 'true' : 'false'} @click=${this.toggle}>
                  ${this.expanded ? 'Show fewer' : `Show all ${all.length}`}
                </button>`
              : nothing}`}
      ${this.renderResolved()}
    </section>`;
  }

  private renderResolved(): unknown {
    const stored = this.stored;
    if (!stored || stored.resolved.length === 0) return nothing;
    const all = stored.resolved;
    const list = this.resolvedExpanded ? all : all.slice(0, FOLDED);
    return html`<div class="resolved">
      <h3>Resolved · ${rangeLabel(stored.range)} (${stored.resolved_total})</h3>
      <div class="table-wrap">
        <table>
          <thead>
            <tr><th scope="col">Incident</th><th scope="col">When</th><th scope="col">Lasted</th></tr>
          </thead>
          <tbody>
            ${repeat(list, (i) => i.id, (i) => this.renderResolvedRow(i))}
          </tbody>
        </table>
      </div>
      ${all.length > FOLDED
        ? html`<button class="more" type="button" aria-expanded=${this.resolvedExpanded ? 'true' : 'false'} @click=${this.toggleResolved}>
            ${this.resolvedExpanded ? 'Show fewer' : `Show all ${all.length}`}
          </button>`
        : nothing}
    </div>`;
  }

  private renderResolvedRow(i: StoredIncident): unknown {
    const last = i.errors[i.errors.length - 1];
    const detail = [i.states.join(', '), last !== undefined && !i.states.includes(last) ? last : ''].filter(Boolean).join(' - ');
    return html`<tr>
      <td class="what">
        <strong>${storedTitle(i, this.nodes)}</strong>${detail ? html`<br /><span class="detail">${detail}</span>` : nothing}
        ${i.units !== undefined ? unitDisclosure(i.units) : nothing}
      </td>
      <td class="when">${formatSpan(i.started_at, i.ended_at)}</td>
      <td class="lasted">${formatDuration(i.duration_seconds * 1000)}</td>
    </tr>`;
  }

  private renderItem(i: Incident, now: number): unknown {
    let when: string;
    if (i.kind === 'sync' && (i.lastGood !== null || i.since === null)) {
      when = i.lastGood !== null ? `Last good sync ${formatDateTime(i.lastGood)} (${formatRelative(i.lastGood, now)})` : 'No successful sync yet';
    } else if (i.since !== null) {
      when = `Since ${formatDateTime(i.since)} (for ${formatDuration(now - i.since)})`;
    } else {
      when = 'Since: unknown';
    }
    return html`<li class=${i.severity}>
      <span class="dot" aria-hidden="true"></span>
      <strong>${i.title}</strong>
      <span class="detail">${i.detail}</span>
      <span class="since">${when}</span>
      ${i.unitId !== undefined ? html`<button class="reveal" type="button" @click=${() => this.reveal(i)}>Show row</button>` : nothing}
      ${i.units !== undefined ? unitDisclosure(i.units) : nothing}
    </li>`;
  }

  /** Asks the dashboard to bring the unit's row into view (see `jm-reveal-unit`). */
  private reveal(i: Incident): void {
    if (i.unitId !== undefined) emit(this, 'jm-reveal-unit', { nodeId: i.nodeId, unitId: i.unitId });
  }

  private readonly toggle = (): void => {
    this.expanded = !this.expanded;
  };

  private readonly toggleResolved = (): void => {
    this.resolvedExpanded = !this.resolvedExpanded;
  };
}

/** `▸ 500 units affected`, opening to their names (text only, never HTML). */
function unitDisclosure(units: ReadonlyArray<{ id: string; name: string }>): unknown {
  return html`<details class="units">
    <summary>${units.length} unit${units.length === 1 ? '' : 's'} affected</summary>
    <ul class="unit-list">
      ${units.map((u) => html`<li title=${u.id}>${u.name === u.id ? u.id : `${u.name} (${u.id})`}</li>`)}
    </ul>
  </details>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-incidents': JmIncidents;
  }
}
