/**
 * `<jm-unit-row>`: one unit of a node — name (a link when its target has
 * an http(s) `url`), id, state badge, uptime, checks, missing slots, the
 * timeline, and the latest error with since when.
 */
import { LitElement, css, html, nothing } from 'lit';
import { formatDateTime, formatPercent, uptimeLevel } from './format.js';
import { theme } from './theme.js';
import type { UnitView } from './units.js';

/**
 * Browsers that report when a `content-visibility: auto` element is skipped
 * let rows draw their timeline only once they come near the viewport.
 */
const lazySupported = typeof window !== 'undefined' && 'ContentVisibilityAutoStateChangeEvent' in window;

export class JmUnitRow extends LitElement {
  static override properties = {
    unit: { attribute: false },
    revealed: { state: true },
  };

  /** The row's data, built by `unitViews()` from a PeerSnapshot. */
  unit: UnitView | null = null;

  /**
   * The row has been near the viewport at least once. Until then its text is
   * rendered (searchable, readable by tools) but the timeline is a
   * placeholder of the same size: with 2,500 rows, drawing only what is seen
   * halves the first render.
   */
  protected revealed = !lazySupported;

  constructor() {
    super();
    this.addEventListener('contentvisibilityautostatechange', this.onVisibility);
  }

  private readonly onVisibility = (e: Event): void => {
    if (!(e as ContentVisibilityAutoStateChangeEvent).skipped && !this.revealed) this.revealed = true;
  };

  static override styles = [
    theme,
    css`
      :host {
        display: block;
        padding: 0.8rem 0;
        /* Rows off screen skip layout and paint: 2,500 of them stay smooth. */
        content-visibility: auto;
        contain-intrinsic-size: auto 84px;
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
      .placeholder {
        height: 22px;
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
      .problem .since {
        color: var(--_muted);
        white-space: nowrap;
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
            <dd><span class="badge tone-${u.tone}" title=${u.state}>${u.state}</span></dd>
          </div>
          <div>
            <dt>Uptime</dt>
            <dd class="uptime text-${level}">${hasUptime ? formatPercent(up.uptime_percent) : 'n/a'}</dd>
          </div>
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
      ${this.revealed
        ? html`<jm-timeline .points=${u.points} .label=${u.name}></jm-timeline>`
        : html`<div class="placeholder"></div>`}
      ${failing
        ? html`<div class="problem ${u.tone === 'warn' ? 'warn' : ''}">
            ${u.check?.error || u.state}${u.since !== null
              ? html` <span class="since">· since ${formatDateTime(u.since)}</span>`
              : nothing}
          </div>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-unit-row': JmUnitRow;
  }
}
