/**
 * The look of a page-wide panel (`<section>` with a heading and a count on
 * the right) and its tables, shared by the dashboard's panels so they read as one family.
 */
import { css } from 'lit';

export const panelStyles = css`
  :host {
    display: block;
  }
  section {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 1.1rem 1.5rem 1.2rem;
  }
  .head {
    display: flex;
    justify-content: space-between;
    align-items: baseline;
    flex-wrap: wrap;
    gap: 0.3rem 1rem;
  }
  h2 {
    margin: 0;
    font-size: 1.05rem;
    font-weight: 650;
  }
  .count {
    font-size: 0.86rem;
    color: var(--_muted);
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.88rem;
    font-variant-numeric: tabular-nums;
  }
  @media (max-width: 560px) {
    section {
      padding: 1rem;
    }
  }
`;
