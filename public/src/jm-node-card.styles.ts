/** Styles of `<jm-node-card>`: the card, its header, meta line, sync box and unit list. */
import { css } from 'lit';

export const nodeCardStyles = css`
  :host {
    display: block;
  }
  article {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 1.25rem 1.5rem 0.6rem;
    box-shadow: var(--jm-card-shadow, 0 10px 30px rgba(0, 0, 0, 0.25));
  }
  article.bad {
    border-color: color-mix(in srgb, var(--_error) 45%, transparent);
  }
  article.stale {
    border-color: color-mix(in srgb, var(--_warn) 45%, transparent);
  }
  header {
    display: flex;
    justify-content: space-between;
    align-items: flex-start;
    gap: 0.75rem 1rem;
    flex-wrap: wrap;
  }
  .title {
    min-width: 0;
    flex: 1 1 14rem;
  }
  h2 {
    margin: 0 0 0.2rem;
    font-size: 1.15rem;
    font-weight: 650;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    overflow-wrap: anywhere;
  }
  .source {
    color: var(--_muted);
    background: color-mix(in srgb, var(--_muted) 12%, transparent);
  }
  .id {
    color: var(--_muted);
    font-size: 0.88rem;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    align-items: center;
    gap: 0.6rem;
  }
  .actions button {
    font-size: 0.8rem;
    padding: 0.25rem 0.7rem;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4rem 1.4rem;
    margin: 0.9rem 0 0.9rem;
    font-size: 0.88rem;
    color: var(--_muted);
  }
  .meta b {
    color: var(--_text);
    font-weight: 500;
    font-variant-numeric: tabular-nums;
  }
  .sync {
    margin: 0 0 0.9rem;
    padding: 0.65rem 0.85rem;
    border-radius: 12px;
    font-size: 0.86rem;
    line-height: 1.45;
    overflow-wrap: anywhere;
    color: var(--_error-text);
    background: color-mix(in srgb, var(--_error) 10%, transparent);
    border: 1px solid color-mix(in srgb, var(--_error) 25%, transparent);
  }
  .sync.stale {
    color: var(--_warn-text);
    background: color-mix(in srgb, var(--_warn) 9%, transparent);
    border-color: color-mix(in srgb, var(--_warn) 25%, transparent);
  }
  .sync strong {
    margin-right: 0.1rem; /* plus the space after it, read out and copied too */
  }
  .sync .muted {
    display: block;
    margin-top: 0.15rem;
  }
  .units {
    margin-top: 0.4rem;
  }
  jm-unit-row + jm-unit-row {
    border-top: 1px solid var(--_border);
  }
  /* The virtual list positions its rows itself; each spans the card. */
  lit-virtualizer > jm-unit-row {
    width: 100%;
  }
  h2:focus {
    outline: none;
  }
  h2:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 3px;
    border-radius: 6px;
  }
  .note {
    padding: 0.9rem 0 0.7rem;
    font-size: 0.88rem;
    color: var(--_muted);
  }
  @media (max-width: 560px) {
    article {
      padding: 1rem 1rem 0.4rem;
      border-radius: 14px;
    }
  }
`;
