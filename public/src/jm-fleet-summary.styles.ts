/** Styles of `<jm-fleet-summary>`: a compact table of the nodes, scrolling sideways on a phone. */
import { css } from 'lit';

/** On top of panelStyles (panel.styles.ts). */
export const fleetSummaryStyles = css`
  section {
    padding-bottom: 0.9rem;
  }
  .head {
    margin-bottom: 0.5rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.34rem 0.7rem 0.34rem 0;
    border-top: 1px solid var(--_border);
    white-space: nowrap;
  }
  thead th {
    border-top: none;
    font-weight: 600;
    color: var(--_muted);
    font-size: 0.8rem;
  }
  tbody th {
    font-weight: 600;
  }
  .num {
    text-align: right;
  }
  .states {
    display: flex;
    flex-wrap: wrap;
    gap: 0.2rem 0.7rem;
    white-space: normal;
  }
  .n {
    background: none;
    padding: 0;
  }
  .uptime {
    font-weight: 600;
  }
  .none {
    color: var(--_faint);
  }
  button.link {
    border: 0;
    background: none;
    padding: 0;
    font: inherit;
    font-weight: 600;
    color: var(--_text);
    text-align: left;
  }
  button.link:hover {
    color: var(--_accent);
    background: none;
    text-decoration: underline;
    text-underline-offset: 3px;
  }
  button.problems {
    font-size: 0.8rem;
    padding: 0.1rem 0.65rem;
    color: var(--_error-text);
    background: color-mix(in srgb, var(--_error) 12%, transparent);
    border-color: color-mix(in srgb, var(--_error) 35%, transparent);
  }
  .source {
    color: var(--_muted);
    background: color-mix(in srgb, var(--_muted) 12%, transparent);
  }
`;
