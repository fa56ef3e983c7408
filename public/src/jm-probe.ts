/**
 * `<jm-probe>`: a node's DNS probe — target, online/offline badge, share of
 * ok samples in the range, latency of the last probe, the error and since
 * when, and the probe's own timeline.
 */
import { LitElement, css, html, nothing } from 'lit';
import { formatDateTime, formatPercent, formatRelative, uptimeLevel } from './format.js';
import type { ProbeView } from './probe.js';
import { theme } from './theme.js';

export class JmProbe extends LitElement {
  static override properties = {
    probe: { attribute: false },
    now: { attribute: false },
  };

  /** Built by `probeView()`; nothing renders while null. */
  probe: ProbeView | null = null;
  /** Clock for "checked 20 s ago"; injectable for tests. */
  now: () => number = Date.now;

  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .box {
        padding: 0.75rem 0.9rem;
        border-radius: 12px;
        background: var(--_surface-2);
        border: 1px solid var(--_border);
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem 0.9rem;
        font-size: 0.86rem;
        margin-bottom: 0.55rem;
      }
      .what {
        display: inline-flex;
        align-items: baseline;
        gap: 0.45rem;
        min-width: 0;
        margin-right: auto;
      }
      .label {
        font-weight: 600;
      }
      .target {
        color: var(--_muted);
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        font-size: 0.8rem;
        overflow-wrap: anywhere;
      }
      .stat {
        display: inline-flex;
        gap: 0.35rem;
        font-variant-numeric: tabular-nums;
      }
      .stat .k {
        color: var(--_muted);
      }
      .err {
        margin-top: 0.45rem;
        font-size: 0.8rem;
        color: var(--_error-text);
        overflow-wrap: anywhere;
      }
      .err .since {
        color: var(--_muted);
      }
    `,
  ];

  protected override render(): unknown {
    const p = this.probe;
    if (!p) return nothing;
    const now = this.now();
    return html`<div class="box" role="group" aria-label="DNS probe">
      <div class="line">
        <span class="what"><span class="label">DNS probe</span><span class="target">${p.target}</span></span>
        <span class="badge tone-${p.tone}">${p.state}</span>
        <span class="stat" title=${p.onlineBasis}
          ><span class="k">Online</span
          ><b class="text-${uptimeLevel(p.onlinePercent)}">${formatPercent(p.onlinePercent)}</b></span
        >
        <span class="stat"><span class="k">Latency</span>${p.latencyMs === null ? '—' : `${p.latencyMs} ms`}</span>
        <span class="stat" title=${formatDateTime(p.checkedAt)}
          ><span class="k">Checked</span>${formatRelative(p.checkedAt, now)}</span
        >
      </div>
      <jm-timeline .points=${p.points} label="DNS probe"></jm-timeline>
      ${p.state === 'offline'
        ? html`<div class="err">
            ${p.error ?? 'No response'}${p.since !== null
              ? html` <span class="since">· since ${formatDateTime(p.since)}</span>`
              : nothing}
          </div>`
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-probe': JmProbe;
  }
}
