/**
 * `<jm-fleet-summary>`: one line per node at the top of the dashboard — its
 * name, how its data arrives (local, in sync, syncing, stale, sync error),
 * its units counted by state, its uptime, and its problems. The name and
 * the problem count are buttons: they ask the dashboard (`jm-show-node`)
 * to open that node's card and bring it into view.
 */
import { LitElement, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { emit } from './events.js';
import type { NodeModel, SyncState } from './fleet.js';
import { fleetSummaryStyles } from './jm-fleet-summary.styles.js';
import { formatPercent, uptimeLevel } from './format.js';
import { panelStyles } from './panel.styles.js';
import { theme } from './theme.js';

const SYNC_TEXT: Record<SyncState, string> = {
  local: 'local',
  ok: 'in sync',
  syncing: 'syncing',
  stale: 'stale',
  error: 'sync error',
};

const SYNC_TONE: Record<SyncState, string> = {
  local: 'source',
  ok: 'tone-ok',
  syncing: 'tone-unknown',
  stale: 'tone-warn',
  error: 'tone-error',
};

export class JmFleetSummary extends LitElement {
  static override properties = {
    nodes: { attribute: false },
    expanded: { attribute: false },
  };

  /** The nodes, in display order (built by `buildFleet`). */
  nodes: readonly NodeModel[] = [];
  /** Keys of the nodes whose units are shown (for aria-expanded). */
  expanded: ReadonlySet<string> = new Set();

  static override styles = [theme, panelStyles, fleetSummaryStyles];

  protected override render(): unknown {
    const nodes = this.nodes;
    const withProblems = nodes.filter((n) => n.problems > 0).length;
    return html`<section aria-labelledby="fleet-title">
      <div class="head">
        <h2 id="fleet-title">Nodes</h2>
        <span class="count"
          >${nodes.length} node${nodes.length === 1 ? '' : 's'} ·
          ${withProblems === 0 ? 'all healthy' : `${withProblems} with problems`}</span
        >
      </div>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Sync</th>
              <th scope="col" class="num">Units</th>
              <th scope="col">By state</th>
              <th scope="col" class="num">Uptime</th>
              <th scope="col" class="num">Problems</th>
            </tr>
          </thead>
          <tbody>
            ${repeat(nodes, (n) => n.key, (n) => this.renderNode(n))}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  private renderNode(n: NodeModel): unknown {
    const c = n.counts;
    const syncing = n.flags.syncing;
    const uptimeText = n.uptime !== null ? formatPercent(n.uptime) : syncing ? 'syncing' : 'no data';
    const level = n.uptime !== null ? uptimeLevel(n.uptime) : 'none';
    const open = this.expanded.has(n.key);
    return html`<tr data-node=${n.key} class=${n.problems > 0 ? 'has-problems' : ''}>
      <th scope="row">
        <button type="button" class="link" aria-expanded=${open ? 'true' : 'false'} @click=${() => this.show(n, false)}>${n.name}</button>
      </th>
      <td><span class="badge ${SYNC_TONE[n.sync]}">${SYNC_TEXT[n.sync]}</span>${syncing && n.sync !== 'syncing' ? html` <span class="badge tone-unknown">syncing</span>` : nothing}</td>
      <td class="num">${n.units.length}</td>
      <td>
        <div class="states">
        ${c.ok ? html`<span class="n tone-ok" title="active">${c.ok} ok</span>` : nothing}
        ${c.warn ? html`<span class="n tone-warn" title="transitioning">${c.warn} transitioning</span>` : nothing}
        ${c.error ? html`<span class="n tone-error" title="failed, inactive…">${c.error} failing</span>` : nothing}
        ${c.unknown ? html`<span class="n tone-unknown" title="unknown or no data">${c.unknown} unknown</span>` : nothing}
        </div>
      </td>
      <td class="num uptime text-${level}">${uptimeText}</td>
      <td class="num">
        ${n.problems > 0
          ? html`<button type="button" class="problems" aria-label=${`Show the ${n.problems} problem${n.problems === 1 ? '' : 's'} of ${n.name}`} @click=${() => this.show(n, true)}>
              ${n.problems}
            </button>`
          : html`<span class="none">none</span>`}
      </td>
    </tr>`;
  }

  private show(n: NodeModel, problems: boolean): void {
    emit(this, 'jm-show-node', { nodeKey: n.key, problems });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-fleet-summary': JmFleetSummary;
  }
}
