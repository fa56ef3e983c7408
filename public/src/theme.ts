/**
 * Shared styles of every element. Colours come from public `--jm-*` custom
 * properties (they inherit through shadow roots, so an embedding page can
 * retheme everything from one rule); the defaults are the dark theme.
 */
import { css } from 'lit';

export const theme = css`
  :host {
    --_bg: var(--jm-bg, #0a0f1c);
    --_surface: var(--jm-surface, #111827);
    --_surface-2: var(--jm-surface-2, #0d1424);
    --_border: var(--jm-border, rgba(148, 163, 184, 0.14));
    --_text: var(--jm-text, #e6eaf2);
    --_muted: var(--jm-muted, #94a3b8);
    --_faint: var(--jm-faint, #64748b);
    --_ok: var(--jm-ok, #34d399);
    --_warn: var(--jm-warn, #fbbf24);
    --_error: var(--jm-error, #f87171);
    --_missing: var(--jm-missing, #334155);
    --_accent: var(--jm-accent, #7cb4ff);
    --_focus: var(--jm-focus, #93c5fd);
    --_error-text: var(--jm-error-text, color-mix(in srgb, var(--_error) 60%, var(--_text)));
    --_warn-text: var(--jm-warn-text, color-mix(in srgb, var(--_warn) 60%, var(--_text)));
    --_radius: var(--jm-radius, 16px);
    font-family: var(--jm-font, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    color: var(--_text);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  .muted {
    color: var(--_muted);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  a {
    color: var(--_accent);
  }
  button {
    font: inherit;
    color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 10%, transparent);
    border: 1px solid color-mix(in srgb, var(--_accent) 35%, transparent);
    border-radius: 999px;
    padding: 0.35rem 0.95rem;
    cursor: pointer;
    line-height: 1.3;
    transition: background 0.15s ease, border-color 0.15s ease;
  }
  button:hover:not(:disabled):not([aria-disabled='true']) {
    background: color-mix(in srgb, var(--_accent) 18%, transparent);
    border-color: color-mix(in srgb, var(--_accent) 60%, transparent);
  }
  button:disabled,
  button[aria-disabled='true'] {
    cursor: default;
    opacity: 0.6;
  }
  .pill {
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
    font-weight: 600;
    font-size: 0.875rem;
    line-height: 1.2;
    padding: 0.3rem 0.75rem;
    border-radius: 999px;
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
  }
  .badge {
    display: inline-block;
    font-size: 0.72rem;
    font-weight: 700;
    letter-spacing: 0.05em;
    text-transform: uppercase;
    line-height: 1.2;
    padding: 0.22rem 0.6rem;
    border-radius: 999px;
    white-space: nowrap;
    max-width: 14rem;
    overflow: hidden;
    text-overflow: ellipsis;
    vertical-align: middle;
  }
  .tone-ok,
  .level-good {
    color: var(--_ok);
    background: color-mix(in srgb, var(--_ok) 14%, transparent);
  }
  .tone-warn,
  .level-warn {
    color: var(--_warn);
    background: color-mix(in srgb, var(--_warn) 14%, transparent);
  }
  .tone-error,
  .level-bad {
    color: var(--_error);
    background: color-mix(in srgb, var(--_error) 15%, transparent);
  }
  .tone-unknown,
  .level-none {
    color: var(--_muted);
    background: color-mix(in srgb, var(--_muted) 14%, transparent);
  }
  .text-good {
    color: var(--_ok);
  }
  .text-warn {
    color: var(--_warn);
  }
  .text-bad {
    color: var(--_error);
  }
  .text-none {
    color: var(--_muted);
  }
`;
