/** Styles of `<jm-timeline>`: the bar track, bar colours, the cursor and the tooltip. */
import { css } from 'lit';

export const timelineStyles = css`
  :host {
    display: block;
    position: relative;
    min-width: 0;
  }
  .track {
    display: block;
    height: 22px;
    border-radius: 4px;
    cursor: default;
    touch-action: pan-y;
  }
  svg {
    display: block;
    width: 100%;
    height: 100%;
  }
  .ok {
    fill: var(--_ok);
  }
  .warn {
    fill: var(--_warn);
  }
  .error {
    fill: var(--_error);
  }
  .missing {
    fill: var(--_missing);
  }
  .cursor {
    fill: none;
    stroke: var(--_text);
    stroke-width: 1.5px;
    vector-effect: non-scaling-stroke;
  }
  .empty {
    font-size: 0.85rem;
    color: var(--_muted);
  }
  .tip {
    position: fixed;
    inset: auto;
    margin: 0;
    left: 0;
    top: 0;
    z-index: 10;
    max-width: min(22rem, calc(100vw - 16px));
    padding: 0.55rem 0.7rem;
    border-radius: 10px;
    border: 1px solid var(--_border);
    background: var(--jm-tooltip-bg, #1b2438);
    color: var(--_text);
    font-size: 0.8rem;
    line-height: 1.4;
    box-shadow: 0 6px 18px rgba(0, 0, 0, 0.35);
    pointer-events: none;
    overflow: visible;
  }
  .tip-head {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    font-weight: 600;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    flex: none;
  }
  .dot.ok {
    background: var(--_ok);
  }
  .dot.warn {
    background: var(--_warn);
  }
  .dot.error {
    background: var(--_error);
  }
  .dot.missing {
    background: var(--_faint);
  }
  .tip-span {
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }
  .tip ul {
    margin: 0.35rem 0 0;
    padding: 0;
    list-style: none;
    display: grid;
    gap: 0.15rem;
  }
  .tip li {
    overflow-wrap: anywhere;
  }
  .tip time {
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
    margin-right: 0.35rem;
  }
`;
