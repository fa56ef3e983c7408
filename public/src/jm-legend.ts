/** `<jm-legend>`: what the timeline colours mean. */
import { LitElement, css, html } from 'lit';
import { theme } from './theme.js';

const ITEMS = [
  ['ok', 'Operational (active)'],
  ['warn', 'Transitioning (activating, reloading…)'],
  ['error', 'Unavailable (failed, inactive…)'],
  ['missing', 'No data'],
] as const;

export class JmLegend extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      section {
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        padding: 0.9rem 1.5rem 1rem;
      }
      h2 {
        margin: 0 0 0.55rem;
        font-size: 0.95rem;
        font-weight: 650;
      }
      ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1.6rem;
        margin: 0;
        padding: 0;
        list-style: none;
        font-size: 0.88rem;
        color: var(--_muted);
      }
      li {
        display: inline-flex;
        align-items: center;
        gap: 0.5rem;
      }
      .bar {
        width: 7px;
        height: 16px;
        border-radius: 2.5px;
      }
      .ok {
        background: var(--_ok);
      }
      .warn {
        background: var(--_warn);
      }
      .error {
        background: var(--_error);
      }
      .missing {
        background: var(--_missing);
      }
      p {
        margin: 0.6rem 0 0;
        font-size: 0.8rem;
        color: var(--_faint);
      }
    `,
  ];

  protected override render(): unknown {
    return html`<section aria-labelledby="t">
      <h2 id="t">Legend</h2>
      <ul>
        ${ITEMS.map(([cls, text]) => html`<li><span class="bar ${cls}" aria-hidden="true"></span>${text}</li>`)}
      </ul>
      <p>Each bar is one of 80 equal periods of the range; hover or focus a timeline and use the arrow keys for details.</p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'jm-legend': JmLegend;
  }
}
