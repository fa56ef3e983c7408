/**
 * `<jm-unit-row>`: one unit of a node — name (a link when its target has
 * an http(s) `url`), id, state badge, uptime, checks, missing slots, the
 * timeline, and for a unit that is not ok what systemd knows beyond the
 * state (sub-state, result, since when, restarts) with its last journal
 * lines behind a disclosure when the node sends them.
 */
import { LitElement, css, html, nothing } from 'lit';
import { formatPercent, uptimeLevel } from './format.js';
import { theme } from './theme.js';
import { journalSummary, okUnitTitle, unitDetails, type DetailFact } from './unit-details.js';
import { pointsOf, type UnitView } from './units.js';

export class JmUnitRow extends LitElement {
  static override properties = {
    unit: { attribute: false },
    now: { attribute: false },
    highlighted: { type: Boolean, reflect: true },
  };

  /** The row's data (units.ts), from the compact feed or a PeerSnapshot. */
  unit: UnitView | null = null;

  /** Clock for "since … (for 2 h)" of a unit that is not ok. */
  now: () => number = Date.now;

  /** The row a link or an incident led to: outlined until another one is. */
  highlighted = false;

  static override styles = [
    theme,
    css`
      :host {
        display: block;
        padding: 0.8rem 0;
        /* A large node's list is virtual (only rows near the viewport exist), so no content-visibility here. */
      }
      :host([highlighted]) {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
        border-radius: 10px;
        background: color-mix(in srgb, var(--_accent) 7%, transparent);
      }
      :host(:focus) {
        outline: 2px solid var(--_focus);
      }
      .head {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: flex-start;
        gap: 0.35rem 1rem;
        margin-bottom: 0.55rem;
      }
      .title {
        display: flex;
        flex-direction: column;
        gap: 0.15rem;
        min-width: 0;
        flex: 1 1 12rem;
      }
      .name {
        font-weight: 600;
        font-size: 0.98rem;
        overflow-wrap: anywhere;
      }
      a.name {
        color: var(--_text);
        text-decoration: none;
        border-radius: 4px;
      }
      a.name:hover {
        color: var(--_accent);
        text-decoration: underline;
        text-underline-offset: 3px;
      }
      .ext {
        width: 0.8em;
        height: 0.8em;
        margin-left: 0.3em;
        vertical-align: -0.05em;
        fill: currentColor;
        color: var(--_accent);
      }
      .id {
        font-size: 0.84rem;
        color: var(--_muted);
        overflow-wrap: anywhere;
      }
      dl {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: flex-end;
        gap: 0.35rem 1.1rem;
        margin: 0;
        font-size: 0.86rem;
      }
      dl > div {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
      }
      dt {
        color: var(--_muted);
      }
      dd {
        margin: 0;
        font-variant-numeric: tabular-nums;
      }
      .uptime {
        font-weight: 600;
      }
      /* As tall as a timeline, so the row keeps its height when the timeline arrives. */
      .pending {
        height: 22px;
        line-height: 22px;
        font-size: 0.8rem;
        color: var(--_muted);
      }
      .problem {
        margin-top: 0.5rem;
        padding: 0.45rem 0.7rem;
        border-radius: 10px;
        font-size: 0.84rem;
        color: var(--_error-text);
        background: color-mix(in srgb, var(--_error) 10%, transparent);
        overflow-wrap: anywhere;
      }
      .problem.warn {
        color: var(--_warn-text);
        background: color-mix(in srgb, var(--_warn) 10%, transparent);
      }
      .facts {
        margin: 0;
      }
      /* Short facts stay whole; the separators are where a narrow screen wraps. */
      .fact {
        white-space: nowrap;
        color: var(--_text);
      }
      .fact.why {
        white-space: normal;
        color: inherit;
      }
      .fact.since,
      .sep {
        color: var(--_muted);
      }
      .journal {
        margin-top: 0.4rem;
      }
      .journal summary {
        cursor: pointer;
        width: fit-content;
        color: var(--_accent);
        border-radius: 4px;
      }
      .journal summary:focus-visible {
        outline: 2px solid var(--_focus);
        outline-offset: 2px;
      }
      .journal pre {
        margin: 0.4rem 0 0;
        padding: 0.5rem 0.6rem;
        max-height: 16rem;
        overflow: auto;
        border-radius: 8px;
        background: var(--_surface-2);
        border: 1px solid var(--_border);
        color: var(--_text);
        font-family: var(--jm-mono, ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace);
        font-size: 0.78rem;
        line-height: 1.45;
        /* Long lines wrap: readable on a phone without sideways scrolling. */
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      /* One block per journal line, wrapped parts indented under it: where a line starts stays visible. */
      .journal .line {
        display: block;
        padding-left: 1.5em;
        text-indent: -1.5em;
      }
      .journal pre:focus-visible {
        outline: 2px solid var(--_focus);
      }
      .journal-note {
        margin: 0.3rem 0 0;
        color: var(--_muted);
      }
      @media (max-width: 560px) {
        dl {
          justify-content: flex-start;
          gap: 0.3rem 0.9rem;
        }
      }
    `,
  ];

  protected override render(): unknown {
    const u = this.unit;
    if (!u) return nothing;
    const up = u.uptime;
    const hasUptime = up !== undefined && up.total_checks > 0;
    const level = uptimeLevel(hasUptime ? up.uptime_percent : null);
    const failing = u.check !== undefined && !u.check.ok;
    return html`<div class="head">
        <div class="title">
          ${u.url
            ? html`<a class="name" href=${u.url} target="_blank" rel="noopener noreferrer"
                >${u.name}<svg class="ext" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                  <path
                    d="M12 2h6v6h-2V5.4l-7.3 7.3-1.4-1.4L14.6 4H12V2zM4 4h5v2H5v9h9v-4h2v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z"
                  ></path></svg
                ><span class="sr-only"> (opens in a new tab)</span></a
              >`
            : html`<span class="name">${u.name}</span>`}
          <span class="id">ID: ${u.id || '(none)'}</span>
        </div>
        <dl>
          <div>
            <dt>State</dt>
            <dd><span class="badge tone-${u.tone}" title=${failing ? u.state : okUnitTitle(u.check, u.state)}>${u.state}</span></dd>
          </div>
          ${u.brief
            ? nothing
            : html`<div>
                <dt>Uptime</dt>
                <dd class="uptime text-${level}">${hasUptime ? formatPercent(up.uptime_percent) : 'n/a'}</dd>
              </div>`}
          ${up
            ? html`<div title="total (passing/failing)">
                <dt>Checks</dt>
                <dd>${up.total_checks} (${up.passing}/${up.failing})</dd>
              </div>`
            : nothing}
          ${up && up.missing_slots > 0
            ? html`<div title="slots without a sample, counted as failing">
                <dt>Missing</dt>
                <dd>${up.missing_slots}</dd>
              </div>`
            : nothing}
        </dl>
      </div>
      ${u.brief
        ? html`<div class="pending" role="status">Loading the timeline…</div>`
        : html`<jm-timeline .points=${pointsOf(u)} .label=${u.name}></jm-timeline>`}
      ${failing && u.check ? this.renderProblem(u, u.check) : nothing}`;
  }

  /** Only rows that are not ok get here, so 2,500 healthy rows pay nothing for it. */
  private renderProblem(u: UnitView, check: NonNullable<UnitView['check']>): unknown {
    const d = unitDetails(check, u.state, u.since, this.now());
    return html`<div class="problem ${u.tone === 'warn' ? 'warn' : ''}">
      <p class="facts">${d.facts.map((f, i) => this.renderFact(f, i))}</p>
      ${d.journal && d.journal.length > 0
        ? html`<details class="journal">
            <summary>${journalSummary(d.journal)}</summary>
            <pre tabindex="0" aria-label="Last journal lines of ${u.name}">${d.journal.map((line, i, all) => html`<span class="line">${i < all.length - 1 ? `${line}\n` : line}</span>`)}</pre>
          </details>`
        : d.journal
          ? html`<p class="journal-note">${journalSummary(d.journal)}</p>`
          : nothing}
      ${d.journalError !== null ? html`<p class="journal-note">Journal not readable: ${d.journalError}</p>` : nothing}
    </div>`;
  }

  private renderFact(f: DetailFact, i: number): unknown {
    return html`${i > 0 ? html`<span class="sep"> · </span>` : nothing}<span class="fact ${f.kind}" title=${f.title ?? nothing}>${f.text}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-unit-row': JmUnitRow;
  }
}
